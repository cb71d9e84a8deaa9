// Package jsonscan walks the members of a JSON object that is already
// known to be valid, without decoding it: keys and values come back as
// sub-slices of the input, so the hot path's envelope checks (a JSON-RPC
// message's members, a call's params, an upstream's answer) cost no
// allocation. Validity is the caller's to establish (json.Valid, or a
// value taken from a document that was checked); on invalid input the
// walk ends early but never reads out of bounds.
package jsonscan

import (
	"bytes"
	"unicode/utf8"
)

// Object iterates the members of one JSON object.
type Object struct {
	data    []byte
	pos     int
	escaped bool
}

// Open starts a walk over data, which must hold one valid JSON value
// (surrounding whitespace allowed). ok is false when it is not an object.
func Open(data []byte) (o Object, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return Object{}, false
	}
	return Object{data: data, pos: i + 1}, true
}

// Next returns the next member: its key (the bytes between the quotes,
// as they are: invalid UTF-8 is not replaced) and its value (without surrounding whitespace). ok is
// false at the end of the object, and also when a key holds an escape
// sequence: then Escaped reports true, and a caller that must see every
// member decodes the object with encoding/json instead.
func (o *Object) Next() (key, value []byte, ok bool) {
	d := o.data
	i := skipSpace(d, o.pos)
	if i < len(d) && d[i] == ',' {
		i = skipSpace(d, i+1)
	}
	if i >= len(d) || d[i] != '"' {
		o.pos = len(d)
		return nil, nil, false // '}' or malformed
	}
	end := skipString(d, i)
	key = d[i+1 : max(i+1, end-1)]
	if bytes.IndexByte(key, '\\') >= 0 {
		o.escaped, o.pos = true, len(d)
		return nil, nil, false
	}
	i = skipSpace(d, end)
	if i >= len(d) || d[i] != ':' {
		o.pos = len(d)
		return nil, nil, false
	}
	i = skipSpace(d, i+1)
	end = SkipValue(d, i)
	o.pos = end
	return key, d[i:end], true
}

// Escaped reports whether the walk stopped at a key with an escape
// sequence.
func (o *Object) Escaped() bool { return o.escaped }

// SkipValue returns the index just past the JSON value that starts at
// data[i].
func SkipValue(data []byte, i int) int {
	if i >= len(data) {
		return len(data)
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(data)
	default: // number, true, false, null
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
			i++
		}
		return len(data)
	}
}

// skipString returns the index just past the string whose opening quote
// is data[i].
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// PlainString returns the contents of the JSON string value raw when it
// has no escape sequence and is valid UTF-8 (then they are the string,
// byte for byte, as encoding/json would decode it); ok is false for any
// other value, which the caller decodes with encoding/json.
func PlainString(raw []byte) (s []byte, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	s = raw[1 : len(raw)-1]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return nil, false
	}
	return s, true
}
