package suppress

import (
	"slices"
	"testing"
)

func TestParseText(t *testing.T) {
	for _, tc := range []struct {
		text   string
		checks []string
		reason string
	}{
		{" clientchurn one probe per request", []string{"clientchurn"}, "one probe per request"},
		{" clientchurn,clientshutdown why", []string{"clientchurn", "clientshutdown"}, "why"},
		{" clientchurn, clientshutdown why", []string{"clientchurn", "clientshutdown"}, "why"},
		{"\tclientchurn // why", []string{"clientchurn"}, "why"},
		{" clientchurn", []string{"clientchurn"}, ""},
		{" clientchurn //", []string{"clientchurn"}, ""},
		{" clientchurn, ", []string{"clientchurn"}, ""},
		{" clientchurn,,clientshutdown why", []string{"clientchurn", "", "clientshutdown"}, "why"},
		{"", nil, ""},
	} {
		checks, reason := parseText(tc.text)
		if !slices.Equal(checks, tc.checks) || reason != tc.reason {
			t.Errorf("parseText(%q) = %q, %q; want %q, %q", tc.text, checks, reason, tc.checks, tc.reason)
		}
	}
}
