package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
)

// BenchmarkEncryptionCost measures the core operations on an unprotected
// and a protected (encrypted) store holding the same demo records, in the
// same run, alternating, and reports each protected/unprotected ratio
// (the target: at most 1.3):
//   - open after a clean close, with the index rebuilt, with and without
//     the passphrase's key derivation (argon2id, a fixed cost per start);
//   - the reference filtered query, p50 and p99;
//   - a durable single-record write, p50 and p99, with both stores open
//     and writes alternating between them.
//
// Records: CONSULTA_BENCH_ENC_RECORDS, default 20,000.
func BenchmarkEncryptionCost(b *testing.B) {
	n := 20000
	if v := os.Getenv("CONSULTA_BENCH_ENC_RECORDS"); v != "" {
		fmt.Sscan(v, &n)
	}
	pass := []byte("una frase de contraseña de prueba")
	dirs := map[bool]string{false: filepath.Join(b.TempDir(), "plain"), true: filepath.Join(b.TempDir(), "protected")}
	for enc, dir := range dirs {
		var p []byte
		if enc {
			p = pass
		}
		st, err := Open(dir, Options{Passphrase: p})
		if err != nil {
			b.Fatal(err)
		}
		svc, _ := app.NewService(st)
		if _, err := svc.Init("Cartagena +40"); err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Load(svc, n, 1, 500, nil); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	open := func(enc bool) (*Store, *app.Service, time.Duration) {
		var p []byte
		if enc {
			p = pass
		}
		t := time.Now()
		st, err := Open(dirs[enc], Options{Passphrase: p})
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t)
		svc, _ := app.NewService(st)
		return st, svc, d
	}
	kdf, _, _ := newParams(pass)
	var kdfTime time.Duration
	for range 3 {
		t := time.Now()
		kdf.derive(pass)
		kdfTime += time.Since(t)
	}
	kdfTime /= 3

	opens := map[bool][]time.Duration{}
	queries := map[bool][]time.Duration{}
	writes := map[bool][]time.Duration{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for round := range 6 {
			for _, enc := range []bool{round%2 == 0, round%2 != 0} {
				st, svc, d := open(enc)
				opens[enc] = append(opens[enc], d)
				q, _ := svc.Query(benchFilter)
				q.Limit, q.Facets = 50, app.FacetsPerField
				for range 200 {
					t := time.Now()
					if _, err := st.Query(q); err != nil {
						b.Fatal(err)
					}
					queries[enc] = append(queries[enc], time.Since(t))
				}
				st.Close()
			}
		}
		// Writes with both stores open, one to each in turn, so that the
		// shared disk's slow moments fall on both alike.
		var sts [2]*Store
		var svcs [2]*app.Service
		for k, enc := range []bool{false, true} {
			sts[k], svcs[k], _ = open(enc)
		}
		for k := range 600 {
			for j, enc := range []bool{k%2 == 0, k%2 != 0} {
				svc := svcs[0]
				if enc {
					svc = svcs[1]
				}
				title := fmt.Sprintf("Nota %d %d", k, j)
				body := "Texto de la nota sobre protección internacional."
				t := time.Now()
				if _, err := svc.Create(app.KindNote, app.Patch{Title: &title, Body: &body, SubRegion: sp[app.SubRegion]("andes"),
					Country: sp[app.CountryCode]("PE"), AddThemes: []app.ThemeCode{"broad-protection"}}); err != nil {
					b.Fatal(err)
				}
				writes[enc] = append(writes[enc], time.Since(t))
			}
		}
		sts[0].Close()
		sts[1].Close()
	}
	b.StopTimer()
	med := func(ds []time.Duration) float64 { return percentile(ds, 0.5) }
	b.ReportMetric(med(opens[false]), "open-plain-ms")
	b.ReportMetric(med(opens[true]), "open-protected-ms")
	b.ReportMetric(float64(kdfTime)/float64(time.Millisecond), "kdf-ms")
	b.ReportMetric(med(opens[true])/med(opens[false]), "open-ratio")
	b.ReportMetric((med(opens[true])-float64(kdfTime)/float64(time.Millisecond))/med(opens[false]), "open-ratio-without-kdf")
	least := func(ds []time.Duration) float64 { return percentile(ds, 0) }
	b.ReportMetric((least(opens[true])-float64(kdfTime)/float64(time.Millisecond))/least(opens[false]), "open-min-ratio-without-kdf")
	b.ReportMetric(med(queries[true])/med(queries[false]), "query-p50-ratio")
	b.ReportMetric(percentile(queries[true], 0.99)/percentile(queries[false], 0.99), "query-p99-ratio")
	b.ReportMetric(med(writes[true])/med(writes[false]), "write-p50-ratio")
	b.ReportMetric(percentile(writes[true], 0.99)/percentile(writes[false], 0.99), "write-p99-ratio")
}
