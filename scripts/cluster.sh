#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, no registry, no VM:
#
#   scripts/cluster.sh up          start it (installs and builds what it needs, once); prints the kubeconfig
#   scripts/cluster.sh down        stop everything it started and put the host back as it was
#   scripts/cluster.sh status      what runs, and whether the node is Ready
#   scripts/cluster.sh kubeconfig  the admin kubeconfig's path (while up)
#   scripts/cluster.sh env         shell assignments for the cluster: KUBECONFIG, the host address...
#   scripts/cluster.sh restart C   stop one component (containerd, kubelet...) and start it again
#   scripts/cluster.sh kill C      kill one component as a crash would (containerd: with its shims)
#   scripts/cluster.sh kubectl ... kubectl (built by install-servers.sh) with the admin kubeconfig
#
# What runs: etcd (Debian) on loopback; kube-apiserver, kube-controller-manager, kube-scheduler,
# kubelet, kube-proxy (iptables) and kube-router (NetworkPolicy only) as host processes; containerd
# and runc (Debian) with the CNI bridge plugin on a private bridge; CoreDNS as a pod. The host is
# $HOST_IP on that bridge: the API server and the kubelet listen there, and it is how pods reach
# services running on the host. Pods reach each other and this host and nothing else: a mangle
# rule drops any packet from the pod network that would leave by another interface.
#
# Needs root (a kubelet does) on Debian 12 or alike. Images come from `ctr images import`
# (scripts/build-images.sh --load); nothing is pulled. Idempotent: `up` on a running cluster
# prints its kubeconfig, `down` on a stopped one checks the host is clean. docs/operations.md has
# the walk-through; the settings and why they are so are next to each of them below.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TOOLS=${KUBEGRADE_TOOLS:-$HOME/.cache/kubegrade/bin}
CACHE=${KUBEGRADE_CACHE:-$HOME/.cache/kubegrade}
# Run state (certificates, etcd, kubelet, sockets, logs): made by `up`, removed by `down`.
STATE=${KUBEGRADE_CLUSTER_DIR:-/var/lib/kubegrade-cluster}
# Images survive `down` (containerd's content store), so the next `up` needs no import.
CONTAINERD_ROOT=${KUBEGRADE_CLUSTER_IMAGES:-$CACHE/containerd}
BRIDGE=${KUBEGRADE_CLUSTER_BRIDGE:-kg0}
NET=${KUBEGRADE_CLUSTER_NET:-10.244.0}
SERVICE_NET=${KUBEGRADE_CLUSTER_SERVICE_NET:-10.96}
HOST_IP=$NET.1
POD_CIDR=$NET.0/24
SERVICE_CIDR=$SERVICE_NET.0.0/16
API_SERVICE_IP=$SERVICE_NET.0.1
DNS_IP=$SERVICE_NET.0.10
NODE=kubegrade-node
API_PORT=6443
ETCD_PORT=12379
CGROUP=kubegrade
COREDNS_IMAGE=kubegrade.local/coredns:v1.11.4
PAUSE_IMAGE=registry.k8s.io/pause:3.10
# Debian's static busybox as an image: listeners and probes for the end-to-end tests.
BUSYBOX_IMAGE=kubegrade.local/busybox:1.35

PKI=$STATE/pki
RUN=$STATE/run
LOGS=$STATE/logs
SOCK=$RUN/containerd.sock
KUBECONFIG_FILE=$STATE/kubeconfig
# kubelet rewrites these once at start, kube-proxy and the CNI bridge plugin some of the others.
SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet"
# Processes in the order they start; `down` stops them in reverse.
COMPONENTS="etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router"

say() { printf 'cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "a kubelet needs root: run as root (sudo $0 $*)"
}

kubectl() { "$TOOLS/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr() { command ctr --address "$SOCK" --namespace k8s.io "$@"; }

# ---------------------------------------------------------------------------------------------
# Installing (once)

install() {
  local missing=() p
  for p in containerd:containerd runc:runc iptables:iptables ipset:ipset conntrack:conntrack openssl:openssl \
           curl:curl etcd:etcd-server gcc:gcc; do
    command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}")
  done
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
  [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/libc.a ] || missing+=(libc6-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]}, and this is not a Debian system: install them"
    say "installing ${missing[*]}"
    without_service_starts apt_install "${missing[@]}"
  fi
  scripts/install-servers.sh kubernetes
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Debian packages start their daemons on install (containerd, docker.io). Ours run with their own
# settings, so installing must start nothing: policy-rc.d says so while apt runs.
without_service_starts() {
  local policy=/usr/sbin/policy-rc.d made=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && made=1
  fi
  local rc=0
  "$@" || rc=$?
  [ -z "$made" ] || rm -f "$policy"
  return $rc
}

# ---------------------------------------------------------------------------------------------
# Processes

start() { # name command... : a process of its own session, logged, remembered by pid and command
  local name=$1; shift
  printf '%s\0' "$@" > "$RUN/$name.cmd"
  setsid "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

# Kills one component as a crash would (SIGKILL; containerd with every shim, and so its
# containers); `restart` brings it back. The fault tests use both.
crash() {
  need_root kill
  local name=${1:-} pid
  [ -f "$RUN/$name.cmd" ] || die "kill: no component '$name' (one of: $COMPONENTS)"
  pid=$(pid_of "$name") && kill -KILL "$pid" 2>/dev/null || true
  [ "$name" != containerd ] || pkill -KILL -f "containerd-shim-runc-v2 .*-address $SOCK" 2>/dev/null || true
  say "killed $name"
}

# Stops one component and starts it again as it was (the tests restart containerd under running pods).
restart() {
  need_root restart
  local name=${1:-}
  [ -f "$RUN/$name.cmd" ] || die "restart: no component '$name' (one of: $COMPONENTS)"
  local cmd
  mapfile -d '' cmd < "$RUN/$name.cmd"
  stop "$name" 20
  case "$name" in
    containerd) start_containerd "${cmd[@]}" ;;
    *) start "$name" "${cmd[@]}" ;;
  esac
  case "$name" in
    kube-apiserver) wait_for "the API server" 90 kube-apiserver kubectl get --raw /readyz ;;
  esac
  say "restarted $name (pid $(pid_of "$name"))"
}

# `ctr version` answers as soon as containerd serves its socket; its CRI plugin goes on recovering
# state and only then takes calls (a kubelet that asks earlier exits: "server is not initialized
# yet"). containerd 1.6 logs "Start streaming server" just before it marks the CRI initialized.
start_containerd() {
  local mark=0
  [ ! -f "$LOGS/containerd.log" ] || mark=$(wc -l < "$LOGS/containerd.log")
  start containerd "$@"
  wait_for "containerd's CRI" 60 containerd cri_initialized "$mark"
  sleep 0.25
}
cri_initialized() { ctr version && tail -n +"$(($1 + 1))" "$LOGS/containerd.log" | grep -q 'Start streaming server'; }

pid_of() { local f=$RUN/$1.pid; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

stop() { # name [seconds]
  local pid
  pid=$(pid_of "$1") || { rm -f "$RUN/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 $((${2:-10} * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/$1.pid"
}

wait_for() { # description seconds component-to-blame command...
  local what=$1 seconds=$2 blame=$3; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$blame" ] && ! pid_of "$blame" >/dev/null; then
      tail -n 20 "$LOGS/$blame.log" >&2 || true
      die "$blame exited while waiting for $what (log: $LOGS/$blame.log)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      [ -z "$blame" ] || tail -n 20 "$LOGS/$blame.log" >&2 || true
      die "$what: not within ${seconds}s (logs in $LOGS)"
    fi
    sleep 0.25
  done
}

# ---------------------------------------------------------------------------------------------
# Host state: what `up` changes is recorded first and `down` puts it back, then checks.

save_host_state() {
  mkdir -p "$STATE/host"
  local s
  for s in $SYSCTLS; do printf '%s=%s\n' "$s" "$(sysctl -n "$s" 2>/dev/null || echo absent)"; done > "$STATE/host/sysctls"
  firewall_rules > "$STATE/host/firewall"
  ipset list -n 2>/dev/null | sort > "$STATE/host/ipsets" || true
  ls /run/netns 2>/dev/null | sort > "$STATE/host/netns" || true
  [ -d /run/netns ] && echo yes > "$STATE/host/run-netns" || echo no > "$STATE/host/run-netns"
  [ -d /run/containerd ] && echo yes > "$STATE/host/run-containerd" || echo no > "$STATE/host/run-containerd"
}

firewall_rules() { # every iptables/ip6tables rule and chain, without counters
  local t
  for t in filter nat mangle raw; do
    iptables -w -t "$t" -S 2>/dev/null | sed "s/^/ipv4 $t /"
    ip6tables -w -t "$t" -S 2>/dev/null | sed "s/^/ipv6 $t /"
  done
}

restore_sysctls() {
  [ -f "$STATE/host/sysctls" ] || return 0
  local line
  while IFS= read -r line; do
    [ "${line#*=}" = absent ] || sysctl -q -w "$line" >/dev/null 2>&1 || say "could not restore $line"
  done < "$STATE/host/sysctls"
}

# ---------------------------------------------------------------------------------------------
# Certificates and kubeconfigs (a CA of the cluster's own, valid for 30 days, made at each `up`)

pki() {
  mkdir -p "$PKI"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=kubegrade-cluster-ca" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$PKI/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver "" "IP:$HOST_IP,IP:$API_SERVICE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin kubegrade-admin system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  cert kubelet "system:node:$NODE" system:nodes "IP:$HOST_IP,DNS:$NODE"
  cert kube-proxy system:kube-proxy ""
  cert kube-router kubegrade:kube-router ""
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 0600 "$PKI"/*.key
}

cert() { # name common-name organisation [subject-alt-names]
  local name=$1 cn=$2 org=$3 san=${4:-} ext
  ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth${san:+
subjectAltName=$san}"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "/CN=$cn${org:+/O=$org}" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 30 -sha256 -extfile <(printf '%s\n' "$ext") -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

kubeconfig() { # name file : a kubeconfig with the named client certificate, data embedded
  cat > "$2" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: kubegrade
    cluster:
      server: https://$HOST_IP:$API_PORT
      certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
  - name: $1
    user:
      client-certificate-data: $(base64 -w0 < "$PKI/$1.crt")
      client-key-data: $(base64 -w0 < "$PKI/$1.key")
contexts:
  - name: kubegrade
    context: {cluster: kubegrade, user: $1}
current-context: kubegrade
EOF
  chmod 0600 "$2"
}

# ---------------------------------------------------------------------------------------------
# Configuration files

configure() {
  mkdir -p "$STATE/cni/net.d" "$STATE/cni/ipam" "$STATE/kubelet" "$STATE/pod-logs" "$CONTAINERD_ROOT"
  # The bridge plugin: pods on $BRIDGE, the host as their gateway; no masquerading (nothing leaves).
  cat > "$STATE/cni/net.d/10-kubegrade.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kubegrade",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$HOST_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF
  # containerd of our own (socket, state, config); its content store is kept between runs.
  # restrict_oom_score_adj: without CAP_SYS_RESOURCE a negative oom_score_adj cannot be set, and
  # the CRI asks for -998 for every sandbox.
  cat > "$STATE/containerd.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT"
state = "$RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$RUN/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
  # Pods with dnsPolicy Default get this resolver, not the host's (which points off the machine).
  echo "nameserver 127.0.0.1" > "$STATE/resolv.conf"
  cat > "$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $HOST_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
failSwapOn: false
resolvConf: $STATE/resolv.conf
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
podLogsDir: $STATE/pod-logs
# Locally imported images can never be pulled again: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
serializeImagePulls: false
rotateCertificates: false
serverTLSBootstrap: false
EOF
  cat > "$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
hostnameOverride: $NODE
mode: iptables
bindAddress: $HOST_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clusterCIDR: $POD_CIDR
nodePortAddresses: [$HOST_IP/32]
# The host's connection-tracking settings are left alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  local n
  for n in admin controller-manager scheduler kubelet kube-proxy kube-router; do kubeconfig "$n" "$STATE/$n.kubeconfig"; done
  cp "$STATE/admin.kubeconfig" "$KUBECONFIG_FILE"
}

# ---------------------------------------------------------------------------------------------
# Network: the bridge exists before anything listens on its address.

network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$HOST_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
  # Pod traffic stays on this machine: anything from the pod network routed out of another
  # interface is dropped (IPv4), and nothing from the bridge is forwarded elsewhere (IPv6).
  iptables -w -t mangle -N KUBEGRADE-POD-EGRESS
  iptables -w -t mangle -A KUBEGRADE-POD-EGRESS -o "$BRIDGE" -j RETURN
  iptables -w -t mangle -A KUBEGRADE-POD-EGRESS -o lo -j RETURN
  iptables -w -t mangle -A KUBEGRADE-POD-EGRESS -m comment --comment "kubegrade: pod traffic stays on this machine" -j DROP
  iptables -w -t mangle -I POSTROUTING -s "$POD_CIDR" -j KUBEGRADE-POD-EGRESS
  ip6tables -w -N KUBEGRADE-POD-EGRESS
  ip6tables -w -A KUBEGRADE-POD-EGRESS -o "$BRIDGE" -j RETURN
  ip6tables -w -A KUBEGRADE-POD-EGRESS -m comment --comment "kubegrade: pod traffic stays on this machine" -j DROP
  ip6tables -w -I FORWARD -i "$BRIDGE" -j KUBEGRADE-POD-EGRESS
}

# cgroup v1: the kubelet puts pods under /$CGROUP in every hierarchy (cgroupRoot). cpuset needs
# its cpus and mems copied from the parent before anything can join it.
cgroups_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h" ] || continue
    mkdir -p "$h$CGROUP"
    if [ -f "${h}cpuset.cpus" ]; then
      cat "${h}cpuset.cpus" > "$h$CGROUP/cpuset.cpus"
      cat "${h}cpuset.mems" > "$h$CGROUP/cpuset.mems"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Images the node needs: the pod sandbox (pause) and CoreDNS, each one layer made from a folder,
# in the `docker save` layout `ctr images import` reads.

image_from_binary() { # image-name binary path-in-image [user]
  local name=$1 binary=$2 path=$3 user=${4:-65534} dir layer diff config config_sha
  ctr images ls -q | grep -qxF "$name" && return 0
  dir=$(mktemp -d)
  mkdir -p "$dir/rootfs$(dirname "$path")" "$dir/image"
  cp "$binary" "$dir/rootfs$path"
  tar -C "$dir/rootfs" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$dir/layer.tar" .
  diff=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  mkdir "$dir/image/$diff" && mv "$dir/layer.tar" "$dir/image/$diff/layer.tar"
  config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"$path\"],\"User\":\"$user\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]}}"
  config_sha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" > "$dir/image/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sha" "$name" "$diff" > "$dir/image/manifest.json"
  tar -C "$dir/image" -cf - . | ctr images import - >/dev/null
  rm -rf "$dir"
}

node_images() {
  image_from_binary "$PAUSE_IMAGE" "$TOOLS/pause" /pause 65535
  image_from_binary "$COREDNS_IMAGE" "$TOOLS/coredns" /coredns 0
  image_from_binary "$BUSYBOX_IMAGE" /bin/busybox /bin/busybox 65534
}

# ---------------------------------------------------------------------------------------------
# up

running() { # every component runs and the API server answers
  local c
  for c in $COMPONENTS; do pid_of "$c" >/dev/null || return 1; done
  kubectl get --raw /readyz >/dev/null 2>&1
}

up() {
  need_root up
  # `ip netns add` makes /run/netns a shared mount point; containerd 1.6 keeps pod network
  # namespaces there and can then no longer remove them (pods hang terminating).
  if mountpoint -q /run/netns 2>/dev/null; then
    die "/run/netns is a mount point (made by \`ip netns add\`): containerd cannot remove pod network namespaces under it.
       Remove it first: ip -all netns delete; umount /run/netns"
  fi
  if running; then
    node_images
    say "already up"
    echo "$KUBECONFIG_FILE"
    return
  fi
  [ ! -d "$STATE" ] || down
  install
  local started=$SECONDS
  mkdir -p "$RUN" "$LOGS"
  save_host_state
  network_up
  cgroups_up
  pki
  configure

  start etcd etcd --name kubegrade --data-dir "$STATE/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-cluster "kubegrade=http://127.0.0.1:$((ETCD_PORT + 1))" \
    --log-level warn
  wait_for "etcd" 30 etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$TOOLS/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address="$HOST_IP" --advertise-address="$HOST_IP" --secure-port="$API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --profiling=false --v=1
  wait_for "the API server" 90 kube-apiserver kubectl get --raw /readyz

  start kube-controller-manager "$TOOLS/kube-controller-manager" --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=24 --service-cluster-ip-range="$SERVICE_CIDR" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" --profiling=false --v=1
  start kube-scheduler "$TOOLS/kube-scheduler" --kubeconfig="$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/scheduler.kubeconfig" --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false --v=1

  start_containerd containerd --config "$STATE/containerd.toml"
  node_images

  start kubelet "$TOOLS/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --root-dir="$STATE/kubelet" --hostname-override="$NODE" --node-ip="$HOST_IP" --v=1
  wait_for "the node to register" 60 kubelet kubectl get node "$NODE"
  start kube-proxy "$TOOLS/kube-proxy" --config="$STATE/kube-proxy.yaml" --v=1
  kubectl apply -f - >/dev/null < <(sed -e "s#@DNS_IP@#$DNS_IP#" -e "s#@COREDNS_IMAGE@#$COREDNS_IMAGE#" scripts/cluster/addons.yaml)
  start kube-router "$TOOLS/kube-router" --kubeconfig="$STATE/kube-router.kubeconfig" --hostname-override="$NODE" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false --enable-pod-egress=false \
    --service-cluster-ip-range="$SERVICE_CIDR" --health-port=0 --metrics-port=0 --v=1
  wait_for "the node to be Ready" 90 kubelet node_ready
  wait_for "kube-router's NetworkPolicy chains" 60 kube-router iptables -w -S KUBE-ROUTER-FORWARD
  wait_for "cluster DNS" 120 kubelet kubectl -n kube-system wait --for=condition=Available deploy/coredns --timeout=2s
  # The kubelet has set its kernel tunables by now; the host gets its own values back.
  restore_sysctls
  sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
  say "up in $((SECONDS - started)) s: node $NODE Ready, API https://$HOST_IP:$API_PORT, pods $POD_CIDR, services $SERVICE_CIDR"
  echo "$KUBECONFIG_FILE"
}

node_ready() {
  [ "$(kubectl get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# ---------------------------------------------------------------------------------------------
# down

down() {
  need_root down
  if [ ! -d "$STATE" ]; then
    say "not running"
    return
  fi
  local started=$SECONDS
  # No new pods are placed or replaced, then every pod is deleted through the API so the kubelet
  # stops each sandbox properly (containers, CNI, network namespace, volumes).
  stop kube-scheduler
  stop kube-controller-manager
  if pid_of kube-apiserver >/dev/null && pid_of kubelet >/dev/null; then
    kubectl delete pods --all --all-namespaces --grace-period=2 --wait=false >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ] && [ -n "$(kubectl get pods -A -o name 2>/dev/null)" ]; do sleep 0.5; done
    kubectl delete pods --all --all-namespaces --force --grace-period=0 >/dev/null 2>&1 || true
  fi
  stop kube-router
  [ ! -x "$TOOLS/kube-router" ] || "$TOOLS/kube-router" --cleanup-config > "$LOGS/kube-router-cleanup.log" 2>&1 || true
  stop kube-proxy
  [ ! -x "$TOOLS/kube-proxy" ] || "$TOOLS/kube-proxy" --cleanup --v=0 > "$LOGS/kube-proxy-cleanup.log" 2>&1 || true
  stop kubelet 20
  # Whatever the kubelet did not stop goes now: every container and sandbox of our containerd.
  if pid_of containerd >/dev/null; then
    local id
    for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 0.5
    for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks rm -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr containers ls -q 2>/dev/null); do ctr containers rm "$id" >/dev/null 2>&1 || true; done
  fi
  stop containerd
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $SOCK" 2>/dev/null || true
  stop kube-apiserver
  stop etcd
  kill_leftovers
  unmount_all
  firewall_down
  ip link del "$BRIDGE" 2>/dev/null || true
  cgroups_down
  restore_sysctls
  [ "$(cat "$STATE/host/run-containerd" 2>/dev/null)" = yes ] || rm -rf /run/containerd
  local problems
  problems=$(check_clean)
  rm -rf "$CACHE/cluster-logs" && mkdir -p "$CACHE" && mv "$LOGS" "$CACHE/cluster-logs" 2>/dev/null || true
  rm -rf "$STATE"
  if [ -n "$problems" ]; then
    printf '%s\n' "$problems" >&2
    die "stopped in $((SECONDS - started)) s, but the host is not as it was (above); logs in $CACHE/cluster-logs"
  fi
  say "down in $((SECONDS - started)) s; the host is as it was (logs kept in $CACHE/cluster-logs)"
}

# Processes of ours that outlived their parent (e.g. a container's process after its shim died).
kill_leftovers() {
  local pids
  pids=$(pgrep -f -- "$STATE" || true)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  local h
  for h in /sys/fs/cgroup/*/"$CGROUP"; do
    [ -d "$h" ] || continue
    find "$h" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
}

unmount_all() {
  local m
  # Deepest first: kubelet volumes, container root filesystems, sandbox /dev/shm, network namespaces.
  for m in $(awk '{print $2}' /proc/mounts | grep -E "^($STATE|$CONTAINERD_ROOT|/run/containerd|/run/netns/cni-)" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  local ns
  for ns in $(ls /run/netns 2>/dev/null | grep '^cni-' || true); do
    grep -qxF "$ns" "$STATE/host/netns" 2>/dev/null || rm -f "/run/netns/$ns" || true
  done
  [ "$(cat "$STATE/host/run-netns" 2>/dev/null)" = yes ] || rmdir /run/netns 2>/dev/null || true
}

# Every chain whose name says Kubernetes (KUBE-*: kubelet, kube-proxy, kube-router) or ours, with
# the rules that jump to them, unless the host had such chains before we started.
firewall_down() {
  local family t chain rule
  for family in iptables ip6tables; do
    for t in filter nat mangle raw; do
      local chains
      chains=$($family -w -t "$t" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^KUBEGRADE-/) {print $2}')
      [ -n "$chains" ] || continue
      local v=ipv4; [ "$family" = iptables ] || v=ipv6
      # Rules in built-in chains that jump to one of them.
      { $family -w -t "$t" -S 2>/dev/null | grep -E -- '-j (KUBE-|KUBEGRADE-)' | grep -vE '^-A (KUBE-|KUBEGRADE-)' || true; } |
        while IFS= read -r rule; do
          grep -qxF "$v $t $rule" "$STATE/host/firewall" 2>/dev/null && continue
          eval "$family -w -t $t ${rule/-A/-D}" 2>/dev/null || true
        done
      for chain in $chains; do
        grep -qxF "$v $t -N $chain" "$STATE/host/firewall" 2>/dev/null && continue
        $family -w -t "$t" -F "$chain" 2>/dev/null || true
      done
      for chain in $chains; do
        grep -qxF "$v $t -N $chain" "$STATE/host/firewall" 2>/dev/null && continue
        $family -w -t "$t" -X "$chain" 2>/dev/null || true
      done
    done
  done
  local set
  for set in $(ipset list -n 2>/dev/null || true); do
    grep -qxF "$set" "$STATE/host/ipsets" 2>/dev/null || ipset destroy "$set" 2>/dev/null || true
  done
}

cgroups_down() {
  local h
  for h in /sys/fs/cgroup/*/"$CGROUP"; do
    [ -d "$h" ] || continue
    find "$h" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# What `down` promises, checked: prints each thing that is not as it was.
check_clean() {
  local pids
  pids=$(pgrep -f -- "$STATE" || true)
  [ -z "$pids" ] || echo "processes still running: $(ps -o pid=,comm= -p "${pids//$'\n'/,}" | tr '\n' ' ')"
  ! grep -qE " ($STATE|$CONTAINERD_ROOT)" /proc/mounts || echo "mounts left: $(grep -E " ($STATE|$CONTAINERD_ROOT)" /proc/mounts | awk '{print $2}' | tr '\n' ' ')"
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || echo "the bridge $BRIDGE is still there"
  ! grep -q ' /run/netns/cni-' /proc/mounts || echo "pod network namespaces left: $(grep ' /run/netns/cni-' /proc/mounts | awk '{print $2}' | tr '\n' ' ')"
  ! ls -d /sys/fs/cgroup/*/"$CGROUP" >/dev/null 2>&1 || echo "cgroups left: $(ls -d /sys/fs/cgroup/*/"$CGROUP" | tr '\n' ' ')"
  if [ -f "$STATE/host/firewall" ]; then
    local d
    d=$(diff <(sort "$STATE/host/firewall") <(firewall_rules | sort) || true)
    [ -z "$d" ] || printf 'firewall differs from before (< before, > now):\n%s\n' "$d"
  fi
  if [ -f "$STATE/host/sysctls" ]; then
    local line
    while IFS= read -r line; do
      [ "${line#*=}" = absent ] && continue
      [ "$(sysctl -n "${line%%=*}" 2>/dev/null)" = "${line#*=}" ] || echo "sysctl ${line%%=*} is $(sysctl -n "${line%%=*}"), was ${line#*=}"
    done < "$STATE/host/sysctls"
  fi
}

# ---------------------------------------------------------------------------------------------

status() {
  if [ ! -d "$STATE" ]; then
    echo "down"
    return 1
  fi
  local c ok=0
  for c in $COMPONENTS; do
    if pid_of "$c" >/dev/null; then printf '%-24s running (pid %s)\n' "$c" "$(pid_of "$c")"; else printf '%-24s NOT RUNNING\n' "$c"; ok=1; fi
  done
  if kubectl get --raw /readyz >/dev/null 2>&1; then
    kubectl get nodes -o wide
    kubectl get pods -A -o wide
  else
    echo "the API server does not answer"; ok=1
  fi
  return $ok
}

env_lines() {
  cat <<EOF
KUBECONFIG=$KUBECONFIG_FILE
KUBEGRADE_CLUSTER_HOST=$HOST_IP
KUBEGRADE_CLUSTER_POD_CIDR=$POD_CIDR
KUBEGRADE_CLUSTER_SERVICE_CIDR=$SERVICE_CIDR
KUBEGRADE_CLUSTER_CONTAINERD=$SOCK
KUBEGRADE_CLUSTER_LOGS=$LOGS
KUBEGRADE_CLUSTER_BUSYBOX_IMAGE=$BUSYBOX_IMAGE
EOF
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kubeconfig) [ -f "$KUBECONFIG_FILE" ] || die "the cluster is not up"; echo "$KUBECONFIG_FILE" ;;
  env) env_lines ;;
  restart) restart "${2:-}" ;;
  kill) crash "${2:-}" ;;
  kubectl) shift; [ -f "$KUBECONFIG_FILE" ] || die "the cluster is not up"; exec "$TOOLS/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
