// Package main builds its pools in main: they live as long as the process.
package main

import "net/http"

func main() {
	t := &http.Transport{MaxIdleConnsPerHost: 10}
	c := &http.Client{Transport: t}
	for _, u := range []string{"a", "b"} {
		c.Get(u)
		// a loop in main runs once per process
		other := &http.Client{Transport: &http.Transport{}}
		other.Get(u)
	}
	http.ListenAndServe("127.0.0.1:0", nil)
}
