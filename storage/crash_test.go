package storage

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

const crashEnv = "CONSULTA_CRASH_CHILD_DIR"

// TestMain lets this test binary double as the child of TestKillDuringWrites.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		writeUntilKilled(dir)
		return
	}
	if mode := os.Getenv(fullDiskEnv); mode != "" {
		os.Exit(fullDiskChild(mode, os.Getenv(fullDiskDirEnv)))
	}
	code := m.Run()
	if benchOwned {
		os.RemoveAll(benchDir) // the generated benchmark workspace
	}
	os.Exit(code)
}

// writeUntilKilled writes notes in a loop and prints each id once Create
// has returned, that is once the write is acknowledged.
func writeUntilKilled(dir string) {
	st, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	svc, err := app.NewService(st)
	if err == nil && svc.Workspace() == nil {
		_, err = svc.Init("crash")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		body := strings.Repeat(fmt.Sprintf("palabra%d ", i), 50)
		id, err := svc.Create(app.KindNote, note(fmt.Sprintf("nota %d", i), body, "andes", "BO", "broad-protection"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(out, id)
		out.Flush()
	}
}

// TestKillDuringWrites kills a writing child with SIGKILL and checks that
// every record it acknowledged is there after reopening.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	var acked []string
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		deadline := time.After(time.Duration(300+200*round) * time.Millisecond)
		got := 0
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child exited early: %s", stderr.String())
				}
				acked = append(acked, l)
				got++
			case <-deadline:
				if got > 0 {
					break read
				}
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines { // ids printed before the kill landed were acknowledged too
			acked = append(acked, l)
		}
		cmd.Wait()
	}

	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range acked {
		if _, err := st.Record(app.RecordID(id)); err != nil {
			t.Fatalf("acknowledged record %s lost after kill -9: %v", id, err)
		}
	}
	t.Logf("%d acknowledged records survived three kills", len(acked))
}
