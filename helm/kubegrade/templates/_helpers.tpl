{{/* Names: <release>-kubegrade unless the release name already says kubegrade. */}}
{{- define "kubegrade.fullname" -}}
{{- if contains "kubegrade" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-kubegrade" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of objects without a selector; those with one add kubegrade.selector to kubegrade.baseLabels. */}}
{{- define "kubegrade.labels" -}}
{{ include "kubegrade.baseLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubegrade.baseLabels" -}}
app.kubernetes.io/part-of: kubegrade
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "gateway") */}}
{{- define "kubegrade.selector" -}}
app.kubernetes.io/name: kubegrade-{{ .component }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kubegrade.image" -}}
{{- $image := index .ctx.Values.image .component -}}
{{- printf "%s/%s:%s" .ctx.Values.image.registry $image.repository (default .ctx.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "kubegrade.redisSecret" -}}
{{- default (printf "%s-redis" (include "kubegrade.fullname" .)) .Values.redis.existingSecret -}}
{{- end -}}
{{- define "kubegrade.mongodbSecret" -}}
{{- default (printf "%s-mongodb" (include "kubegrade.fullname" .)) .Values.mongodb.existingSecret -}}
{{- end -}}
{{- define "kubegrade.s3Secret" -}}
{{- default (printf "%s-s3" (include "kubegrade.fullname" .)) .Values.s3.existingSecret -}}
{{- end -}}
{{- define "kubegrade.authSecret" -}}
{{- default (printf "%s-auth" (include "kubegrade.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}
{{- define "kubegrade.hmac" -}}
{{- if or .Values.auth.existingSecret .Values.auth.hmacSecret }}true{{ end -}}
{{- end -}}

{{/* Pod Security "restricted": what every kubegrade container runs with. */}}
{{- define "kubegrade.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}
{{- define "kubegrade.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Redis URL for the gateway and operator: the password comes from $(REDIS_PASSWORD). */}}
{{- define "kubegrade.redisEnv" -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "kubegrade.redisSecret" . }}
      key: password
{{- end -}}

{{- define "kubegrade.redisUrl" -}}
{{- if or .Values.redis.existingSecret .Values.redis.password -}}
redis://:$(REDIS_PASSWORD)@{{ .Values.redis.host }}:{{ .Values.redis.port }}
{{- else -}}
redis://{{ .Values.redis.host }}:{{ .Values.redis.port }}
{{- end -}}
{{- end -}}

{{/* The S3 endpoint runner pods fetch sources from (presigned URLs are made for it). */}}
{{- define "kubegrade.presignedEndpoint" -}}
{{- default (default (printf "https://s3.%s.amazonaws.com" .Values.s3.region) .Values.s3.endpoint) .Values.s3.presignedEndpoint -}}
{{- end -}}

{{/* "true" when runner pods may query DNS (networkPolicy.dns.allow; auto: a name must be resolved). */}}
{{- define "kubegrade.runnerDns" -}}
{{- $mode := .Values.networkPolicy.dns.allow -}}
{{- $ip := "^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^\\[" -}}
{{- $s3host := regexReplaceAll ":[0-9]+$" (urlParse (include "kubegrade.presignedEndpoint" .)).host "" -}}
{{- if or (eq $mode "always") (and (eq $mode "auto") (or (not (regexMatch $ip .Values.redis.host)) (not (regexMatch $ip $s3host)))) -}}
true
{{- end -}}
{{- end -}}
