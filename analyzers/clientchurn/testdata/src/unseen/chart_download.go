package unseen

import (
	"bytes"
	"net/http"

	"helm.sh/helm/v3/pkg/getter"
)

var chartTransport = &http.Transport{}

type ChartRepository struct {
	URL    string
	Client getter.Getter
}

func NewChartRepository(url string) (*ChartRepository, error) {
	c, err := getter.HTTPProvider()
	if err != nil {
		return nil, err
	}
	return &ChartRepository{URL: url, Client: c}, nil
}

// DownloadChart hands the getter a transport of its own
// (fluxcd source-controller: transport.NewOrIdle, then Release): the getter
// makes no pool of its own on such a call.
func (r *ChartRepository) DownloadChart(ref string, options []getter.Option) (*bytes.Buffer, error) {
	clientOpts := append(options, getter.WithTransport(chartTransport))
	return r.Client.Get(r.URL+ref, clientOpts...)
}

// DownloadIndex gives it only its own options: the getter builds a
// transport on every call.
func (r *ChartRepository) DownloadIndex() (*bytes.Buffer, error) {
	return r.Client.Get(r.URL+"/index.yaml", getter.WithInsecureSkipVerifyTLS(true)) // want `ChartRepository.DownloadIndex creates a new HTTP transport per call and drops it`
}
