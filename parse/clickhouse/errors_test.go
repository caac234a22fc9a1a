package clickhouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/rules"
)

func run(t *testing.T, tg clickhouse.Target, opt clickhouse.Options) error {
	t.Helper()
	src := clickhouse.New(tg, rules.Pushdown(rules.DefaultConfig()), opt)
	done := make(chan error, 1)
	go func() {
		_, _, err := src.Run(context.Background(), func([]parse.Record) {})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the source hangs")
		return nil
	}
}

// fake answers DESCRIBE with a Logpush table and any other query with h.
func fake(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 1<<16)
		n, _ := r.Body.Read(b)
		q := string(b[:n])
		if strings.HasPrefix(q, "DESCRIBE") {
			fmt.Fprint(w, "EdgeStartTimestamp\tInt64\nEdgeResponseStatus\tUInt16\nClientRequestHost\tString\n")
			return
		}
		h(w, r)
	}
}

func TestSourceErrorsAreClear(t *testing.T) {
	slow := httptest.NewServer(fake(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	midStream := httptest.NewServer(fake(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"EdgeStartTimestamp":"1795167001369000000","EdgeResponseStatus":502,"ClientRequestHost":"a"}`+"\n")
		fmt.Fprint(w, "Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB\n")
	}))
	defer midStream.Close()
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		fmt.Fprint(w, "Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception\n")
	}))
	defer auth.Close()
	many := httptest.NewServer(fake(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, `{"EdgeStartTimestamp":"179516700136900000%d","EdgeResponseStatus":502,"ClientRequestHost":"a"}`+"\n", i)
		}
	}))
	defer many.Close()
	tls := httptest.NewTLSServer(fake(func(w http.ResponseWriter, r *http.Request) {}))
	defer tls.Close()

	target := func(base, table string) clickhouse.Target {
		u := strings.Replace(base, "http://", "clickhouse://", 1)
		u = strings.Replace(u, "https://", "clickhouse+https://", 1)
		tg, err := clickhouse.ParseURL(u + "/db." + table)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	cases := []struct {
		name string
		tg   clickhouse.Target
		opt  clickhouse.Options
		want string
	}{
		{"unreachable", target("http://127.0.0.1:1", "t"), clickhouse.Options{}, "cannot reach ClickHouse at clickhouse://127.0.0.1:1/db.t"},
		{"timeout", target(slow.URL, "t"), clickhouse.Options{Timeout: time.Second}, "timed out after 1s"},
		{"error in the result", target(midStream.URL, "t"), clickhouse.Options{}, "ran out of memory"},
		{"bad credentials", target(auth.URL, "t"), clickhouse.Options{}, `rejected the credentials of user "default"`},
		{"https, self-signed, checked", target(tls.URL, "t"), clickhouse.Options{}, "certificate"},
		{"https, self-signed, --ch-insecure", target(tls.URL, "t"), clickhouse.Options{Insecure: true}, ""},
		{"too many records", target(many.URL, "t"), clickhouse.Options{MaxRecords: 3}, "returned more than 3 records (--ch-max-records)"},
		{"records within the cap", target(many.URL, "t"), clickhouse.Options{MaxRecords: 10}, ""},
		{"mapped column missing", target(tls.URL, "t"), clickhouse.Options{Insecure: true, Columns: clickhouse.ColumnMap{"EdgeColoCode": "colo"}}, `no column "colo" (mapped to EdgeColoCode by --ch-column EdgeColoCode=colo)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := run(t, c.tg, c.opt)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// Against the real server: a missing required column names the flag, a
// read-only user can read, a wrong password is explained.
func TestSourceAgainstServer(t *testing.T) {
	tg := needServer(t, "odd_columns")
	dropTable(t, tg)
	sql(t, tg, "CREATE TABLE edgetriage_test.odd_columns (ts Int64, status UInt16, host String) ENGINE = MergeTree() ORDER BY (host, ts)")
	sql(t, tg, "INSERT INTO edgetriage_test.odd_columns VALUES (1795167001369000000, 520, 'a.example'), (1795167001469000000, 200, 'a.example')")

	err := run(t, tg, clickhouse.Options{})
	if err == nil || !strings.Contains(err.Error(), "has no column EdgeStartTimestamp; if it is named otherwise, set --ch-column EdgeStartTimestamp=COLUMN") {
		t.Errorf("missing column: %v", err)
	}
	cols, err := clickhouse.ParseColumnMap([]string{"EdgeStartTimestamp=ts,EdgeResponseStatus=status", "ClientRequestHost=host"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run(t, tg, clickhouse.Options{Columns: cols}); err != nil {
		t.Errorf("mapped columns: %v", err)
	}
	ro := tg
	ro.User = "readonly"
	if err := run(t, ro, clickhouse.Options{Columns: cols}); err != nil {
		if strings.Contains(err.Error(), "rejected the credentials") {
			t.Skipf("this server has no password-less readonly user: %v", err)
		}
		t.Errorf("read-only user: %v", err)
	}
	bad := tg
	bad.Password = "not-the-password"
	if err := run(t, bad, clickhouse.Options{Columns: cols}); err == nil || !strings.Contains(err.Error(), "rejected the credentials") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	t.Setenv("CLICKHOUSE_USER", "envuser")
	t.Setenv("CLICKHOUSE_PASSWORD", "envpass")
	cases := []struct {
		in, endpoint, user, pass, db, table string
	}{
		{"clickhouse://127.0.0.1:8123/default.http_requests", "http://127.0.0.1:8123/", "envuser", "envpass", "default", "http_requests"},
		{"clickhouse://u:p@ch.example/logs.cf", "http://ch.example:8123/", "u", "p", "logs", "cf"},
		{"clickhouse+https://ch.example/logs.cf", "https://ch.example:8443/", "envuser", "envpass", "logs", "cf"},
		{"clickhouse://ch.example:9999/logs.cf?secure=1", "https://ch.example:9999/", "envuser", "envpass", "logs", "cf"},
	}
	for _, c := range cases {
		tg, err := clickhouse.ParseURL(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if tg.Endpoint != c.endpoint || tg.User != c.user || tg.Password != c.pass || tg.Database != c.db || tg.Table != c.table {
			t.Errorf("%s: got %+v", c.in, tg)
		}
	}
	for _, bad := range []string{"clickhouse://host/", "clickhouse://host/nodot", "clickhouse:///db.t"} {
		if _, err := clickhouse.ParseURL(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if r := clickhouse.Redact("clickhouse://u:secret@h/db.t"); strings.Contains(r, "secret") {
		t.Errorf("Redact kept the password: %s", r)
	}
}

// The SQL client-network cut must agree with parse.ReduceNetwork (which
// the in-memory split and the contrast's reading rely on).
func TestNetworkSQLMatchesGo(t *testing.T) {
	tg := needServer(t, "unused")
	ips := []string{"1.2.3.4", "2001:db8:1:2::5", "2001:db8::5", "::1", "::ffff:1.2.3.4", "fe80:1", "-", "", ".5",
		"a.b.c", "2001:db8:0:1::5", "2001:0DB8:0001:0002::", "not an ip", "10.0.0.1%eth0", "1.2.3.4:8080"}
	var lits []string
	for _, ip := range ips {
		lits = append(lits, "'"+strings.ReplaceAll(ip, "'", "\\'")+"'")
	}
	out := sql(t, tg, "SELECT "+clickhouse.NetworkSQL("ip")+" FROM (SELECT arrayJoin(["+strings.Join(lits, ", ")+"]) AS ip) FORMAT TSV")
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(ips) {
		t.Fatalf("%d results for %d addresses: %q", len(got), len(ips), out)
	}
	for i, ip := range ips {
		if want := parse.ReduceNetwork(ip); got[i] != want {
			t.Errorf("%q: SQL gives %q, Go %q", ip, got[i], want)
		}
	}
}

func TestDurationSQLMatchesGo(t *testing.T) {
	tg := needServer(t, "unused")
	cuts := []time.Duration{20 * time.Millisecond, 500 * time.Millisecond, 5 * time.Second}
	vals := []int64{0, 1, 2, 3, 15, 16, 19, 20, 21, 31, 32, 255, 499, 500, 511, 512, 4095, 4999, 5000, 8191, 8192, 100000, 1 << 40}
	var lits []string
	for _, v := range vals {
		lits = append(lits, fmt.Sprintf("toInt64(%d)", v))
	}
	for _, how := range []parse.Reduce{parse.Sign, parse.Pow2} {
		out := sql(t, tg, "SELECT "+clickhouse.DurationSQL("ms", how, cuts)+" FROM (SELECT arrayJoin([toInt64(-1), "+strings.Join(lits, ", ")+"]) AS ms) FORMAT TSV")
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, v := range append([]int64{-1}, vals...) {
			want := parse.ReduceDuration(time.Duration(v)*time.Millisecond, how, cuts).Milliseconds()
			if i >= len(got) || got[i] != fmt.Sprint(want) {
				t.Errorf("reduce %d ms (%d): SQL %v, Go %d", v, how, got, want)
				break
			}
		}
	}
}
