package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeTableIsCurrent fails when README.md's table of codes is not
// the catalogue's: run go generate ./codes.
func TestReadmeTableIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Splice(string(b), Table())
	if err != nil {
		t.Fatal(err)
	}
	if want != string(b) {
		t.Error("README.md's table of codes is stale: run go generate ./codes")
	}
}

func TestSplice(t *testing.T) {
	got, err := Splice("a\n"+begin+"\nold\n"+end+"\nb\n", "| t |\n")
	if err != nil || got != "a\n"+begin+"\n| t |\n"+end+"\nb\n" {
		t.Errorf("%q %v", got, err)
	}
	if _, err := Splice("no markers", "x"); err == nil || !strings.Contains(err.Error(), "markers") {
		t.Errorf("no markers: %v", err)
	}
}
