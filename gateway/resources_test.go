package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

func readResource(c *client.Client, uri string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err != nil {
		return "", err
	}
	if len(res.Contents) == 0 {
		return "", nil
	}
	tc, _ := mcp.AsTextResourceContents(res.Contents[0])
	if tc == nil {
		return "", nil
	}
	return tc.Text, nil
}

// A deny rule on resource URIs holds against percent-encoding, case and
// dot segments.
func TestResourceDenyNormalisesURIs(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http",
		Extra: `    resources: {deny: ["demo://items/secret*"]}`}}, ""))
	c := connect(t, gw.URL+"/mcp", adminToken)
	if got, err := readResource(c, "alpha__demo://items/public1"); err != nil || got != "item public1" {
		t.Fatalf("allowed item: %q %v", got, err)
	}
	for _, uri := range []string{
		"alpha__demo://items/secret1",
		"alpha__demo://items/%73ecret1",
		"alpha__demo://items/Secret1",
		"alpha__demo://items/%2573ecret1",
		"alpha__demo://items/x/../secret1",
	} {
		if got, err := readResource(c, uri); err == nil {
			t.Errorf("%s passed the deny rule: %q", uri, got)
		}
	}
}
