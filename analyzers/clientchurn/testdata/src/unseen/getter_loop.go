package unseen

import "net/http"

// A loop calling one interface value's method per item runs that method
// per item (kube-metrics-adapter's PodCollector.GetMetrics calling
// c.Getter.GetMetric(pod) for every pod, each building a transport).
type metricsGetter interface{ GetMetric(podIP string) error }

type jsonPathGetter struct{ path string }

func (g *jsonPathGetter) GetMetric(podIP string) error {
	c := &http.Client{Transport: &http.Transport{}} // want `jsonPathGetter.GetMetric creates a new HTTP transport per call and drops it; create it once and reuse it`
	_, err := c.Get("http://" + podIP + g.path)
	return err
}

type podCollector struct{ getter metricsGetter }

func (c *podCollector) collect(podIPs []string) error {
	for _, ip := range podIPs {
		if err := c.getter.GetMetric(ip); err != nil {
			return err
		}
	}
	return nil
}
