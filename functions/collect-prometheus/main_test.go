package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/collect"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// TestEvents runs the handler in-process with every event in testdata/
// against a fresh database, checking NAME.want.json's fields. (The
// functions package runs the same events through the real binary once the
// function is in template.yaml.)
func TestEvents(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	c := collect.New(cfg, pgtest.NewDB(t), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	h := lambda.NewHandler(c.HandleScheduled)
	events, _ := filepath.Glob("testdata/*.json")
	n := 0
	for _, ev := range events {
		if strings.HasSuffix(ev, ".want.json") {
			continue
		}
		n++
		payload, err := os.ReadFile(ev)
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(ev, ".json") + ".want.json")
		if os.IsNotExist(err) {
			continue
		}
		var got, w map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: answer %s is not a JSON object", ev, out)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatalf("%s: want file: %v", ev, err)
		}
		for k, wv := range w {
			if !reflect.DeepEqual(got[k], wv) {
				t.Errorf("%s: %s = %v, want %v\nanswer: %s", ev, k, got[k], wv, out)
			}
		}
	}
	if n == 0 {
		t.Fatal("no events in testdata")
	}
}
