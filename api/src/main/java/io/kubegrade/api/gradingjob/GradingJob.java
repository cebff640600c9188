package io.kubegrade.api.gradingjob;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * One submission to grade, as a Kubernetes resource: the operator turns it into a runner pod and
 * keeps {@link GradingJobStatus} true. The CRD is generated from these classes at build time
 * (crds/gradingjobs.kubegrade.io.yaml, docs/crd.md).
 */
@Group(GradingJob.GROUP)
@Version(GradingJob.VERSION)
@Kind(GradingJob.KIND)
@Plural(GradingJob.PLURAL)
@ShortNames("gj")
@Categories("kubegrade")
@AdditionalPrinterColumn(name = "Challenge", jsonPath = ".spec.challenge.id", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Verdict", jsonPath = ".status.verdict.status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Tests", jsonPath = ".status.verdict.tests", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Duration", jsonPath = ".status.verdict.duration", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class GradingJob extends CustomResource<GradingJobSpec, GradingJobStatus> implements Namespaced {
  public static final String GROUP = "kubegrade.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "GradingJob";
  public static final String PLURAL = "gradingjobs";
  /** The CRD's name, and the file it is committed as under crds/ and the chart's crds/. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  /**
   * The order {@code kubectl get gj} shows the columns in. The generator sorts them by JSON path,
   * so the committed CRD is rewritten in this order (GradingJobCrdTest keeps it so).
   */
  public static final List<String> PRINTER_COLUMNS = List.of("Challenge", "Phase", "Verdict", "Tests", "Duration", "Age");

  public GradingJob() {}

  public GradingJob(String namespace, String name, GradingJobSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }

  /** The phase, Queued for a job the operator has not seen yet. */
  public GradingJobPhase phase() {
    return getStatus() == null || getStatus().phase() == null ? GradingJobPhase.Queued : getStatus().phase();
  }

  @Override
  protected GradingJobStatus initStatus() {
    return null;
  }
}
