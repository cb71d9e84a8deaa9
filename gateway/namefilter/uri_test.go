package namefilter

import "testing"

func TestNormalizeURI(t *testing.T) {
	for in, want := range map[string]string{
		"demo://items/%73ecret1":          "demo://items/secret1",
		"demo://items/%2573ecret1":        "demo://items/secret1",
		"DEMO://Items/Secret1":            "demo://items/Secret1",
		"file:///etc/../etc/./passwd":     "file:///etc/passwd",
		"file:///srv/data/":               "file:///srv/data/",
		"urn:ISBN:0451450523":             "urn:ISBN:0451450523",
		"alpha__demo://items/%53ecret%31": "alpha__demo://items/Secret1",
	} {
		if got := NormalizeURI(in); got != want {
			t.Errorf("NormalizeURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFilterURIs(t *testing.T) {
	f, err := NewFilter(nil, []string{"demo://items/secret*", "file:///etc/*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"demo://items/secret1", "demo://items/%73ecret1", "demo://items/Secret1", "DEMO://items/SECRET2", "file:///srv/../etc/passwd"} {
		if f.AdmitsURI(uri) {
			t.Errorf("deny let %q through", uri)
		}
	}
	if !f.AdmitsURI("demo://items/public") {
		t.Error("deny blocked demo://items/public")
	}
	allow, _ := NewFilter([]string{"demo://items/public*"}, nil)
	if allow.AdmitsURI("demo://items/public/../secret") || !allow.AdmitsURI("demo://items/%70ublic1") {
		t.Error("allow does not match the normalised URI")
	}
}
