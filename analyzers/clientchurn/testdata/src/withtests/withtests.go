// Package withtests is analysed with -tests: its test file is reported.
package withtests
