package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

var seeds = []string{
	`{}`,
	` { } `,
	`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"a__b","arguments":{"s":"x}\"]","n":[1,{"a":[]}]}}}`,
	"{\n\t\"a\" : 1 ,\r\n \"b\":true,\"c\":null,\"d\":-1.5e3,\"e\":\"\\u0041\\\\\"}",
	`{"a":1,"a":2}`,
	`{"k\u0069d":1}`,
	`{"a":"\\","b":[["]"]]}`,
	`{"":{}}`,
	`[1,2]`,
	`"str"`,
	`3`,
}

// Members must agree with encoding/json's decoding into a map (last
// duplicate wins) on every valid object whose keys have no escapes, and
// say Escaped when one has.
func FuzzMembers(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			// Invalid input may stop the walk anywhere, but must not panic.
			if o, ok := Open(data); ok {
				for _, _, more := o.Next(); more; _, _, more = o.Next() {
				}
			}
			return
		}
		var want map[string]json.RawMessage
		isObject := json.Unmarshal(data, &want) == nil && bytes.TrimSpace(data)[0] == '{'
		o, ok := Open(data)
		if ok != isObject {
			t.Fatalf("Open(%q) = %v, want %v", data, ok, isObject)
		}
		if !ok {
			return
		}
		got := map[string][]byte{}
		for k, v, more := o.Next(); more; k, v, more = o.Next() {
			got[string(k)] = v
		}
		if o.Escaped() {
			if !bytes.Contains(data, []byte(`\`)) {
				t.Fatalf("%q: Escaped without a backslash", data)
			}
			return
		}
		if !utf8.Valid(data) {
			return // encoding/json replaces invalid UTF-8 in keys; Next keeps the bytes
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, want %d", data, len(got), len(want))
		}
		for k, w := range want {
			if g, has := got[k]; !has || !bytes.Equal(g, bytes.TrimSpace(w)) {
				t.Fatalf("%q: member %q = %q, want %q", data, k, g, w)
			}
		}
	})
}

func TestPlainString(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want string
		ok   bool
	}{
		{`"tools/call"`, "tools/call", true},
		{`""`, "", true},
		{`"a\"b"`, "", false},
		{`"\u0041"`, "", false},
		{"\"\xff\"", "", false},
		{`7`, "", false},
		{`"`, "", false},
	} {
		s, ok := PlainString([]byte(tc.raw))
		if ok != tc.ok || string(s) != tc.want {
			t.Errorf("PlainString(%s) = %q, %v; want %q, %v", tc.raw, s, ok, tc.want, tc.ok)
		}
		if ok {
			var dec string
			if err := json.Unmarshal([]byte(tc.raw), &dec); err != nil || dec != string(s) {
				t.Errorf("PlainString(%s) = %q, encoding/json says %q (%v)", tc.raw, s, dec, err)
			}
		}
	}
}

func TestSkipValue(t *testing.T) {
	data := []byte(`{"a":[1,"]",{"b":"}"}],"c":2}`)
	o, _ := Open(data)
	var keys []string
	for k, v, more := o.Next(); more; k, v, more = o.Next() {
		keys = append(keys, string(k)+"="+string(v))
	}
	if got := len(keys); got != 2 || keys[0] != `a=[1,"]",{"b":"}"}]` || keys[1] != "c=2" {
		t.Fatalf("members %q", keys)
	}
}

func TestNoAllocs(t *testing.T) {
	data := []byte(seeds[2])
	if n := testing.AllocsPerRun(100, func() {
		o, _ := Open(data)
		for _, _, more := o.Next(); more; _, _, more = o.Next() {
		}
	}); n != 0 {
		t.Fatalf("%v allocations per walk, want 0", n)
	}
}
