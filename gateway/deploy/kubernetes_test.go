package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/config"
)

// The subset of the Kubernetes schema the manifests use. Decoding is
// strict, so a misspelt key (readinesProbe) fails the test.
type (
	metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	}
	object struct {
		APIVersion string   `yaml:"apiVersion"`
		Kind       string   `yaml:"kind"`
		Metadata   metadata `yaml:"metadata"`
		// Secret
		Type       string            `yaml:"type"`
		StringData map[string]string `yaml:"stringData"`
		// ConfigMap
		Data map[string]string `yaml:"data"`
		// Deployment, Service
		Spec yaml.Node `yaml:"spec"`
	}
	deploymentSpec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata metadata `yaml:"metadata"`
			Spec     podSpec  `yaml:"spec"`
		} `yaml:"template"`
	}
	podSpec struct {
		TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
		SecurityContext               struct {
			RunAsNonRoot   bool `yaml:"runAsNonRoot"`
			RunAsUser      int  `yaml:"runAsUser"`
			RunAsGroup     int  `yaml:"runAsGroup"`
			SeccompProfile struct {
				Type string `yaml:"type"`
			} `yaml:"seccompProfile"`
		} `yaml:"securityContext"`
		Containers []container `yaml:"containers"`
		Volumes    []struct {
			Name      string `yaml:"name"`
			ConfigMap struct {
				Name string `yaml:"name"`
			} `yaml:"configMap"`
		} `yaml:"volumes"`
	}
	container struct {
		Name            string   `yaml:"name"`
		Image           string   `yaml:"image"`
		ImagePullPolicy string   `yaml:"imagePullPolicy"`
		Args            []string `yaml:"args"`
		EnvFrom         []struct {
			SecretRef struct {
				Name string `yaml:"name"`
			} `yaml:"secretRef"`
		} `yaml:"envFrom"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
			Protocol      string `yaml:"protocol"`
		} `yaml:"ports"`
		ReadinessProbe probe `yaml:"readinessProbe"`
		LivenessProbe  probe `yaml:"livenessProbe"`
		Lifecycle      struct {
			PreStop struct {
				Sleep struct {
					Seconds int `yaml:"seconds"`
				} `yaml:"sleep"`
			} `yaml:"preStop"`
		} `yaml:"lifecycle"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		SecurityContext struct {
			AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   bool `yaml:"readOnlyRootFilesystem"`
			Capabilities             struct {
				Drop []string `yaml:"drop"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
	}
	probe struct {
		HTTPGet struct {
			Path string `yaml:"path"`
			Port string `yaml:"port"`
		} `yaml:"httpGet"`
		PeriodSeconds    int `yaml:"periodSeconds"`
		FailureThreshold int `yaml:"failureThreshold"`
	}
	serviceSpec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
			Protocol   string `yaml:"protocol"`
		} `yaml:"ports"`
	}
)

func decodeStrict(t *testing.T, what string, n *yaml.Node, v any) {
	t.Helper()
	raw, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func readManifests(t *testing.T) map[string]object {
	t.Helper()
	data, err := os.ReadFile("kubernetes/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]object{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("kubernetes/gateway.yaml: %v", err)
		}
		if _, dup := out[o.Kind]; dup {
			t.Fatalf("two %s objects", o.Kind)
		}
		out[o.Kind] = o
	}
	for _, kind := range []string{"Secret", "ConfigMap", "Deployment", "Service"} {
		if _, ok := out[kind]; !ok {
			t.Fatalf("no %s in the manifests", kind)
		}
	}
	return out
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// TestKubernetesManifests: the manifests decode, and their ports, probes,
// mounts, secrets, user and grace period agree with the gateway config in
// the ConfigMap, the gateway's routes and the Dockerfile.
func TestKubernetesManifests(t *testing.T) {
	objs := readManifests(t)
	depObj, svcObj := objs["Deployment"], objs["Service"]
	var dep deploymentSpec
	decodeStrict(t, "Deployment.spec", &depObj.Spec, &dep)
	var svc serviceSpec
	decodeStrict(t, "Service.spec", &svcObj.Spec, &svc)
	if len(dep.Template.Spec.Containers) != 1 {
		t.Fatalf("containers: %d", len(dep.Template.Spec.Containers))
	}
	c := dep.Template.Spec.Containers[0]
	pod := dep.Template.Spec

	// The config file the container loads is the ConfigMap's key.
	i := slices.Index(c.Args, "-config")
	if i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("args %v name no -config", c.Args)
	}
	cfgPath := c.Args[i+1]
	if cfgPath != imageConfig {
		t.Errorf("-config %s differs from the image's %s", cfgPath, imageConfig)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != path.Dir(cfgPath) || !c.VolumeMounts[0].ReadOnly {
		t.Fatalf("volume mounts %+v do not mount %s read-only", c.VolumeMounts, path.Dir(cfgPath))
	}
	if len(pod.Volumes) != 1 || pod.Volumes[0].Name != c.VolumeMounts[0].Name || pod.Volumes[0].ConfigMap.Name != objs["ConfigMap"].Metadata.Name {
		t.Fatalf("volumes %+v do not bring the ConfigMap %s", pod.Volumes, objs["ConfigMap"].Metadata.Name)
	}
	text, ok := objs["ConfigMap"].Data[path.Base(cfgPath)]
	if !ok {
		t.Fatalf("the ConfigMap has no key %s", path.Base(cfgPath))
	}

	// Every ${VAR} in the config comes from the Secret the pod loads.
	secret := objs["Secret"]
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != secret.Metadata.Name {
		t.Fatalf("envFrom %+v does not load the Secret %s", c.EnvFrom, secret.Metadata.Name)
	}
	for _, m := range envRef.FindAllStringSubmatch(text, -1) {
		v, ok := secret.StringData[m[1]]
		if !ok {
			t.Errorf("the config uses ${%s}, which the Secret lacks", m[1])
			continue
		}
		t.Setenv(m[1], v)
	}
	// The image has /demo-upstream; here any executable stands in.
	demoBin := "/bin/sh"
	cfg, err := config.Parse([]byte(strings.ReplaceAll(text, "command: "+imageDemo, "command: "+demoBin)))
	if err != nil {
		t.Fatalf("the ConfigMap's config: %v", err)
	}

	// Ports: container, config, Service.
	_, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		t.Fatal(err)
	}
	if host, _, _ := net.SplitHostPort(cfg.Listen); host != "0.0.0.0" && host != "" {
		t.Errorf("listen %s is not reachable from the kubelet's probes", cfg.Listen)
	}
	if len(c.Ports) != 1 || strconv.Itoa(c.Ports[0].ContainerPort) != port || c.Ports[0].Name != "http" {
		t.Errorf("container ports %+v, config port %s", c.Ports, port)
	}
	if len(svc.Ports) != 1 || svc.Ports[0].TargetPort != c.Ports[0].Name {
		t.Errorf("service ports %+v do not target the container's %s port", svc.Ports, c.Ports[0].Name)
	}
	for k, v := range svc.Selector {
		if dep.Template.Metadata.Labels[k] != v || dep.Selector.MatchLabels[k] != v {
			t.Errorf("service selector %s=%s does not select the pods", k, v)
		}
	}

	// Probes: the gateway's unauthenticated routes, on the named port.
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.ReadinessProbe.HTTPGet.Port != "http" {
		t.Errorf("readiness probe %+v", c.ReadinessProbe)
	}
	if c.LivenessProbe.HTTPGet.Path != "/healthz" || c.LivenessProbe.HTTPGet.Port != "http" {
		t.Errorf("liveness probe %+v", c.LivenessProbe)
	}

	// The drain fits in the grace period: on SIGTERM (after any preStop)
	// /readyz fails for drain_grace, long enough for the readiness probe
	// to take the pod out, then calls drain for shutdown_timeout; the
	// kubelet's SIGKILL comes at terminationGracePeriodSeconds.
	grace := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	probeOut := time.Duration(c.ReadinessProbe.PeriodSeconds*max(c.ReadinessProbe.FailureThreshold, 1)) * time.Second
	if preStop+cfg.Readiness.DrainGrace < probeOut {
		t.Errorf("preStop %s + readiness.drain_grace %s is shorter than the readiness probe needs to fail (%s)", preStop, cfg.Readiness.DrainGrace, probeOut)
	}
	if preStop+cfg.Readiness.DrainGrace+cfg.ShutdownTimeout >= grace {
		t.Errorf("preStop %s + drain_grace %s + shutdown_timeout %s does not fit in terminationGracePeriodSeconds %s",
			preStop, cfg.Readiness.DrainGrace, cfg.ShutdownTimeout, grace)
	}

	// Non-root, as the Dockerfile's USER.
	d := readDockerfile(t)
	if !pod.SecurityContext.RunAsNonRoot || strconv.Itoa(pod.SecurityContext.RunAsUser)+":"+strconv.Itoa(pod.SecurityContext.RunAsGroup) != d.user {
		t.Errorf("pod user %d:%d, image USER %s", pod.SecurityContext.RunAsUser, pod.SecurityContext.RunAsGroup, d.user)
	}
	if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation || !slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL") {
		t.Errorf("container security context %+v", c.SecurityContext)
	}
	// -watch makes ConfigMap edits reload the gateway.
	if !slices.Contains(c.Args, "-watch") {
		t.Error("the container does not run with -watch")
	}
}
