// Command idletrace reads an execution trace (go tool trace format, as
// written by CONSULTA_BENCH_TRACE) and tells, for the time when fewer
// goroutines ran than there are cores, what the goroutines of interest
// were blocked on. It is how the fifth session found that a first sync
// leaves a core idle while the store waits for Badger's write goroutine
// (docs/PERFORMANCE.md).
//
//	go run . [-cores 2] [-match readLoop,doWrites,indexLoop,recvLoop,writeLoop] [-top 20] TRACE
//
// A goroutine is "of interest" when the stack it last blocked with names
// one of -match. Its own module, so that the app's go.mod does not carry
// golang.org/x/exp.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"

	"golang.org/x/exp/trace"
)

func main() {
	cores := flag.Int("cores", 2, "cores the traced process had")
	match := flag.String("match", "readLoop,doWrites,indexLoop,recvLoop,writeLoop", "comma-separated function names that mark goroutines of interest")
	top := flag.Int("top", 20, "how many blocking places to print")
	depth := flag.Int("depth", 8, "stack frames to print per place")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: idletrace [flags] TRACE")
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	keys := strings.Split(*match, ",")

	running := map[trace.GoID]bool{}
	type place struct{ full, short string }
	blocked := map[trace.GoID]place{} // where each goroutine last blocked
	byRunning := map[int]int64{}      // nanoseconds with k goroutines running
	idleBy := map[string]int64{}      // nanoseconds of idle time, by blocking place
	var last trace.Time
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Kind() != trace.EventStateTransition {
			continue
		}
		st := ev.StateTransition()
		if st.Resource.Kind != trace.ResourceGoroutine {
			continue
		}
		t := ev.Time()
		if last != 0 {
			d := int64(t - last)
			byRunning[min(len(running), *cores)] += d
			if len(running) < *cores {
				for g, p := range blocked {
					if running[g] {
						continue
					}
					for _, k := range keys {
						if strings.Contains(p.full, k) {
							idleBy[k+": "+p.short] += d
							break
						}
					}
				}
			}
		}
		last = t
		id := st.Resource.Goroutine()
		from, to := st.Goroutine()
		if from == trace.GoRunning {
			delete(running, id)
			blocked[id] = place{stack(ev.Stack(), 1<<30), st.Reason + " at " + stack(ev.Stack(), *depth)}
		}
		if to == trace.GoRunning {
			running[id] = true
		}
	}
	for k := 0; k <= *cores; k++ {
		fmt.Printf("%d running: %.2f s\n", k, float64(byRunning[k])/1e9)
	}
	places := make([]string, 0, len(idleBy))
	for p := range idleBy {
		places = append(places, p)
	}
	sort.Slice(places, func(a, b int) bool { return idleBy[places[a]] > idleBy[places[b]] })
	fmt.Println("\nwhile a core was idle, goroutines of interest were blocked:")
	for _, p := range places[:min(*top, len(places))] {
		fmt.Printf("%7.3f s  %s\n", float64(idleBy[p])/1e9, p)
	}
}

// stack prints up to n frames of s, innermost first.
func stack(s trace.Stack, n int) string {
	var fns []string
	for fr := range s.Frames() {
		if len(fns) == n {
			break
		}
		fns = append(fns, fr.Func)
	}
	return strings.Join(fns, " < ")
}
