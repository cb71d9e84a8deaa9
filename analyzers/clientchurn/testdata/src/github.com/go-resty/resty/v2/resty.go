// Package resty is a stub of github.com/go-resty/resty/v2.
package resty

import "net/http"

type Client struct{ hc *http.Client }
type Request struct{ c *Client }

func New() *Client                          { return &Client{hc: &http.Client{Transport: &http.Transport{}}} }
func NewWithClient(hc *http.Client) *Client { return &Client{hc: hc} }
func (c *Client) R() *Request               { return &Request{c: c} }
func (r *Request) Get(url string) error     { return nil }
func (c *Client) GetClient() *http.Client   { return c.hc }
