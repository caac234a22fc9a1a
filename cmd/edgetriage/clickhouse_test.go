package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse/clickhouse"
)

// The "done when": `report clickhouse://.../DB.TABLE` on the loaded
// samples prints the same findings as `report` on the files. Skips without
// a server; fails under EDGETRIAGE_REQUIRE_SERVICES=1.
func TestReportFromClickHouseEqualsFiles(t *testing.T) {
	base := os.Getenv("EDGETRIAGE_CLICKHOUSE_URL")
	if base == "" {
		base = "clickhouse://127.0.0.1:8123"
	}
	url := strings.TrimRight(base, "/") + "/edgetriage_test.cli_samples"
	tg, err := clickhouse.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := clickhouse.Ping(context.Background(), tg, 3*time.Second); err != nil {
		if os.Getenv("EDGETRIAGE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("EDGETRIAGE_REQUIRE_SERVICES=1 but %v", err)
		}
		t.Skipf("skipped: no ClickHouse server (%v)", err)
	}
	if _, err := clickhouse.QueryText(context.Background(), tg, "DROP TABLE IF EXISTS edgetriage_test.cli_samples"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../sample-logs/cloudflare/*.log")
	if len(files) == 0 {
		t.Fatal("no sample files")
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"ch-load", url}, files...), nil, &out, &errb); code != 0 {
		t.Fatalf("ch-load: exit %d: %s", code, errb.String())
	}
	findings := func(args ...string) any {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"report", "--json", "--config", os.DevNull}, args...), nil, &out, &errb); code > 1 {
			t.Fatalf("report %v: exit %d: %s", args, code, errb.String())
		}
		var doc map[string]any
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("report %v: %v", args, err)
		}
		f := doc["findings"]
		stripOffsets(f)
		return f
	}
	want, got := findings(files...), findings(url)
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", " ")
		g, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("findings differ:\nfiles: %.3000s\nclickhouse: %.3000s", w, g)
	}
	if list, _ := want.([]any); len(list) == 0 {
		t.Error("no findings: the comparison proves nothing")
	}
}

func stripOffsets(v any) {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "offset")
		for _, c := range x {
			stripOffsets(c)
		}
	case []any:
		for _, c := range x {
			stripOffsets(c)
		}
	}
}

func TestClickHouseURLMixedWithFiles(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"report", "clickhouse://127.0.0.1:1/a.b", "x.log"}, nil, &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "cannot be read together with files") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
