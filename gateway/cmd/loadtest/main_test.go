package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/churnlint/churnlint/gateway/loadtest"
)

func TestParse(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parse([]string{"-rps", "200", "-duration", "20s", "-mix", "call=1"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.gateway != loadtest.KindReference || o.cfg.Rate != 200 || o.cfg.Mix.String() != "call=1" || o.th.MaxRSSGrowthPct != 5 {
		t.Errorf("defaults: %+v", o)
	}
	if o, err = parse([]string{"-direct"}, &stderr); err != nil || o.gateway != loadtest.KindDirect {
		t.Errorf("-direct alone: %v %v", o, err)
	}
	o, err = parse([]string{"-target", "http://127.0.0.1:8080/mcp", "-pid", "1"}, &stderr)
	if err != nil || o.metrics != "http://127.0.0.1:8080/metrics" {
		t.Errorf("-target: %+v %v", o, err)
	}
	for _, args := range [][]string{
		{"-target", "http://10.0.0.8:8080/mcp"},
		{"-target", "http://example.com/mcp"},
		{"-target", "http://127.0.0.1:8080/mcp", "-metrics", "http://192.168.0.1/metrics"},
		{"-target", "http://127.0.0.1:8080/mcp", "-compare"},
		{"-rps", "0"},
		{"-rps", "1000000"},
		{"-duration", "0s"},
		{"-mix", "nope=1"},
		{"-gateway", "other"},
		{"-gateway", "fixed"}, // without -fixed DIR: nothing to run
		{"extra"},
	} {
		if _, err := parse(args, &stderr); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-target", "http://192.0.2.1/mcp", "-out", t.TempDir()}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "loopback") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestParseComparePeer(t *testing.T) {
	var stderr bytes.Buffer
	peer := "/bin/true"
	o, err := parse([]string{"-compare-peer", peer, "-steps", "100,200"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.peer != peer || o.peerOpts.Rounds != 2 || len(o.peerOpts.Steps) != 2 || o.peerOpts.OverloadFactor != 4 {
		t.Errorf("defaults: %+v", o.peerOpts)
	}
	// The peer speaks no revision past 2025-11-25: every target gets that.
	if o.cfg.Protocol != "2025-11-25" || o.peerOpts.Load.Protocol != "2025-11-25" {
		t.Errorf("protocol %q / %q", o.cfg.Protocol, o.peerOpts.Load.Protocol)
	}
	for _, args := range [][]string{
		{"-compare-peer", t.TempDir()},              // a directory
		{"-compare-peer", "/nonexistent/mcp-proxy"}, // nothing there
		{"-compare-peer", peer, "-compare"},
		{"-compare-peer", peer, "-target", "http://127.0.0.1:8080/mcp"},
		{"-compare-peer", peer, "-steps", "200,100"},
		{"-compare-peer", peer, "-rounds", "0"},
	} {
		if _, err := parse(args, &stderr); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
