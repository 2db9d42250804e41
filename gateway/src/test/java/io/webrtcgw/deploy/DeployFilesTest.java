package io.webrtcgw.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.webrtcgw.config.ConfigLoader;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of deploy/ without Docker or Kubernetes: the files parse, the configs they
 * carry load, probes, ports and UDP ranges agree with those configs, and the image installs the
 * packages README's commands install.
 */
class DeployFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("gateway.projectRoot", ".."));
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir
  Path dir;

  private static JsonNode yaml(String file) throws Exception {
    return YAML.readTree(DEPLOY.resolve(file).toFile());
  }

  @Test
  void kubernetesProbesAndPortsMatchTheConfigMap() throws Exception {
    JsonNode configMap = yaml("k8s/configmap.yaml");
    assertEquals("ConfigMap", configMap.path("kind").asText());
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, configMap.path("data").path("gateway.yaml").asText());
    GatewayConfig gateway = ConfigLoader.load(config);

    JsonNode deployment = yaml("k8s/deployment.yaml");
    assertEquals("Deployment", deployment.path("kind").asText());
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    assertTrue(pod.path("hostNetwork").asBoolean(), "media needs the node's network");
    JsonNode container = pod.path("containers").get(0);
    assertEquals(gateway.port(), container.path("ports").get(0).path("containerPort").asInt());
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      JsonNode get = container.path(probe).path("httpGet");
      assertEquals("/healthz", get.path("path").asText(), probe);
      assertEquals(gateway.port(), get.path("port").asInt(), probe);
    }
    assertEquals(configMap.path("metadata").path("name").asText(),
        pod.path("volumes").get(0).path("configMap").path("name").asText());
    String mount = container.path("volumeMounts").get(0).path("mountPath").asText();
    assertEquals(List.of("--config", mount + "/gateway.yaml"), strings(container.path("args")));

    JsonNode service = yaml("k8s/service.yaml");
    assertEquals("Service", service.path("kind").asText());
    assertEquals(container.path("ports").get(0).path("name").asText(),
        service.path("spec").path("ports").get(0).path("targetPort").asText());
    assertEquals(deployment.path("spec").path("selector").path("matchLabels"), service.path("spec").path("selector"));
  }

  @Test
  void composePublishesTheConfiguredPortsAndRunsCoturn() throws Exception {
    GatewayConfig config = ConfigLoader.load(DEPLOY.resolve("gateway.yaml"));
    JsonNode services = yaml("compose.yaml").path("services");
    List<String> ports = strings(services.path("gateway").path("ports"));
    assertTrue(ports.contains(config.port() + ":" + config.port()), ports.toString());
    String range = config.network().udpPortMin() + "-" + config.network().udpPortMax();
    assertTrue(ports.contains(range + ":" + range + "/udp"), "the UDP range is published 1:1: " + ports);
    assertTrue(config.network().publicIp() != null, "behind published ports the public address is needed");
    List<String> coturn = strings(services.path("coturn").path("command"));
    assertTrue(coturn.contains("--use-auth-secret"), coturn.toString());
    assertTrue(coturn.stream().anyMatch(arg -> arg.startsWith("--static-auth-secret=")), coturn.toString());
    assertTrue(config.turn() != null && config.turn().urls().get(0).contains(":3478"));
  }

  @Test
  void dockerfileInstallsWhatReadmeInstallsAndExposesTheConfiguredPorts() throws Exception {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    String[] stages = dockerfile.split("(?m)^FROM ");
    assertEquals(3, stages.length, "a build stage and a runtime stage");
    List<String> readmeRun = aptPackages(readmeBlock("run-command"));
    assertFalse(readmeRun.isEmpty());

    assertEquals(readmeRun.stream().filter(p -> !p.equals("libpulse0")).toList(), aptPackages(stages[1]),
        "the build stage installs README's build packages");
    assertTrue(stages[1].contains("-DskipTests package"));
    for (String pkg : aptPackages(stages[2])) {
      // The runtime needs the JRE of README's JDK and nothing README does not install.
      String inReadme = pkg.replace("-jre-headless", "-jdk-headless");
      assertTrue(readmeRun.contains(inReadme), pkg + " is not in README's run command " + readmeRun);
    }
    assertTrue(aptPackages(stages[2]).contains("libpulse0"));

    GatewayConfig config = ConfigLoader.load(DEPLOY.resolve("gateway.yaml"));
    assertTrue(stages[2].contains("EXPOSE " + config.port() + "/tcp"));
    assertTrue(stages[2].contains("EXPOSE " + config.network().udpPortMin() + "-" + config.network().udpPortMax() + "/udp"));
  }

  @Test
  void systemdUnitRunsTheJarWithAConfig() throws Exception {
    String unit = Files.readString(DEPLOY.resolve("gateway.service"));
    assertTrue(unit.contains("ExecStart=/usr/bin/java -jar /opt/webrtc-gateway/gateway.jar --config "), unit);
  }

  /** Tests and the benchmark run the gateway with the malloc settings that deploy/ gives it. */
  @Test
  void deployedAndTestedWithTheSameMallocSettings() throws Exception {
    String unit = Files.readString(DEPLOY.resolve("gateway.service"));
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    GatewayProcess.MALLOC_SETTINGS.forEach((name, value) -> {
      assertTrue(unit.contains("Environment=" + name + "=" + value + "\n"), "gateway.service sets " + name);
      assertTrue(Pattern.compile("\\nENV .*\\b" + name + "=" + value + "\\b").matcher(dockerfile).find(),
          "Dockerfile sets " + name);
    });
  }

  private static String readmeBlock(String marker) throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher m = Pattern.compile("<!-- " + marker + " -->\\s*```sh\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
    assertTrue(m.find(), "README has a " + marker + " block");
    return m.group(1);
  }

  /** The package names after each {@code apt-get install}, options and continuations skipped. */
  private static List<String> aptPackages(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("apt-get install((?:\\s+(?:\\\\\\s*)?[-\\w.+=]+)+)").matcher(text);
    while (m.find()) {
      Arrays.stream(m.group(1).split("\\s+"))
          .filter(word -> !word.isEmpty() && !word.startsWith("-") && !word.equals("\\"))
          .forEach(out::add);
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
