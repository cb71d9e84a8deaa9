// Package mcp is a stub of github.com/mark3labs/mcp-go/mcp.
package mcp

type CallToolRequest struct{ Name string }
type CallToolResult struct{ Text string }
