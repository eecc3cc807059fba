package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// fullDiskEnv makes this test binary a child of TestFullDiskTmpfs: its
// value is the mode, and fullDiskDirEnv the data directory.
const (
	fullDiskEnv    = "CONSULTA_FULLDISK_CHILD"
	fullDiskDirEnv = "CONSULTA_FULLDISK_DIR"
)

// fullDiskChild runs one step of TestFullDiskTmpfs through the real store
// and service, printing what happens, one line each: "ACK id" once a
// write is acknowledged, "REFUSED message" for a refused one. It returns
// the exit status; a SIGBUS would kill it instead.
func fullDiskChild(mode, dir string) int {
	out := bufio.NewWriter(os.Stdout)
	say := func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...); out.Flush() }
	st, err := Open(dir, Options{})
	if err != nil {
		say("OPEN %v", strings.ReplaceAll(err.Error(), "\n", " "))
		return 3
	}
	svc, err := app.NewService(st)
	if err == nil && svc.Workspace() == nil {
		_, err = svc.Init("disco lleno")
	}
	if err != nil {
		say("ERROR %v", err)
		return 3
	}
	say("RO %v", st.ReadOnly())
	i := 0
	write := func() error {
		i++
		body := strings.Repeat(fmt.Sprintf("refugio %s %d ", mode, i), 400) // about 8 KB
		id, err := svc.Create(app.KindNote, note(fmt.Sprintf("%s %d", mode, i), body, "andes", "BO", "broad-protection"))
		if err == nil {
			say("ACK %s", id)
		} else if app.KindOf(err) == app.DiskFull {
			say("REFUSED %v", err)
		}
		return err
	}
	in := bufio.NewScanner(os.Stdin)
	switch mode {
	case "write": // until refused
		for {
			if err := write(); app.KindOf(err) == app.DiskFull {
				break
			} else if err != nil {
				say("ERROR %v", err)
				return 3
			}
		}
	case "read": // everything, then one write that must be refused
		res, err := svc.List(app.Filter{}, 0)
		if err != nil {
			say("ERROR %v", err)
			return 3
		}
		for _, r := range res.Records {
			say("ID %s", r.ID)
		}
		hits, err := svc.List(app.Filter{Text: "refugio"}, 0)
		if err != nil {
			say("ERROR %v", err)
			return 3
		}
		rep, err := st.Check()
		if err != nil {
			say("ERROR %v", err)
			return 3
		}
		say("CHECK %d records, %d found by text, %d problems", len(res.Records), len(hits.Records), len(rep.Problems))
		write()
	case "resume": // refused, then written once the parent frees space
		if app.KindOf(write()) != app.DiskFull {
			say("ERROR not refused")
			return 3
		}
		deadline := time.Now().Add(20 * time.Second)
		for app.KindOf(write()) == app.DiskFull {
			if time.Now().After(deadline) {
				say("ERROR no room after 20 s")
				return 3
			}
			time.Sleep(20 * time.Millisecond)
		}
		for range 5 {
			if err := write(); err != nil {
				say("ERROR %v", err)
				return 3
			}
		}
		say("RO %v", st.ReadOnly())
		say("WROTE")
		in.Scan() // the parent fills the disk again meanwhile
		write()
	}
	if err := st.Close(); err != nil {
		say("CLOSE %v", err)
	} else {
		say("CLOSE ok")
	}
	return 0
}

// child is a running fullDiskChild.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *strings.Builder
	acked  []string
	log    []string
}

func startChild(t *testing.T, mode, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+mode, fullDiskDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 64), stderr: &stderr}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

// until reads lines up to one starting with prefix, which it returns.
func (c *child) until(prefix string) string {
	c.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.wait()
				c.t.Fatalf("child %v ended before %q; it said:\n%s", c.cmd.Env[len(c.cmd.Env)-2], prefix, strings.Join(c.tail(), "\n"))
			}
			c.log = append(c.log, l)
			if id, ok := strings.CutPrefix(l, "ACK "); ok {
				c.acked = append(c.acked, id)
			}
			if strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "OPEN") {
				c.t.Fatalf("child: %s", l)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			c.cmd.Process.Kill()
			c.t.Fatalf("child said nothing starting with %q in 60 s", prefix)
		}
	}
}

func (c *child) tail() []string { return c.log[max(0, len(c.log)-10):] }

// wait waits for the child and fails unless it exited normally with 0:
// a SIGBUS in Badger's maps would show here as a signal.
func (c *child) wait() {
	c.t.Helper()
	c.stdin.Close()
	for l := range c.lines {
		c.log = append(c.log, l)
		if id, ok := strings.CutPrefix(l, "ACK "); ok {
			c.acked = append(c.acked, id)
		}
	}
	err := c.cmd.Wait()
	ps := c.cmd.ProcessState
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		c.t.Fatalf("child died of %v; its last lines:\n%s", ws.Signal(), strings.Join(c.tail(), "\n"))
	}
	if err != nil {
		// The Go runtime turns a SIGBUS in a memory map into a fatal
		// "unexpected fault address" and exit status 2.
		msg := c.stderr.String()
		if i := strings.Index(msg, "\ngoroutine "); i > 0 {
			msg = msg[:i]
		}
		c.t.Fatalf("child failed: %v; its last lines:\n%s\nstderr:\n%s", err, strings.Join(c.tail(), "\n"), msg)
	}
}

// fillDisk writes a file in dir until the file system has no block left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i) // tmpfs stores zero pages too, but be plain
	}
	for {
		_, err := f.Write(buf)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for { // the last partial megabyte, down to the page
		if _, err := f.Write(buf[:4096]); err != nil {
			break
		}
	}
}

func wantClearRefusal(t *testing.T, line string) {
	t.Helper()
	msg, _ := strings.CutPrefix(line, "REFUSED ")
	for _, want := range []string{"the disk holding", "MB free; Consulta needs at least", "MB free to write safely", "Free some space and try again; nothing stored is lost"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("refusal %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, "badger") || strings.Contains(msg, "SIGBUS") {
		t.Fatalf("refusal %q shows the machinery", msg)
	}
}

// TestFullDiskTmpfs fills a real, small file system: a 160 MB tmpfs. A
// child writes notes through the store until it is refused; a file fills
// what is left; children then read everything back read-only, have a write
// refused, and one of them writes again once the file is removed, without
// reopening; the disk is filled once more under an open store, which must
// still close cleanly. No child may die of a signal, and every
// acknowledged record must be there at the end.
func TestFullDiskTmpfs(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs and starts child processes")
	}
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux to mount a small tmpfs (CI runs it as root)")
	}
	mnt := t.TempDir()
	if err := mountTmpfs(mnt, "size=160m"); err != nil {
		t.Skipf("mounting a tmpfs is not allowed here: %v", err)
	}
	t.Cleanup(func() {
		if err := unmountTmpfs(mnt); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	dir := filepath.Join(mnt, "data")
	filler := filepath.Join(mnt, "filler")
	start := time.Now()
	freeMB := func() uint64 { f, _ := DiskFree(mnt); return f >> 20 }

	// Other files of the delegate's, which she deletes to make room.
	photos := filepath.Join(mnt, "photos")
	if err := os.WriteFile(photos, make([]byte, 24<<20), 0o600); err != nil {
		t.Fatal(err)
	}

	// 1. Write until refused.
	w := startChild(t, "write", dir)
	refusal := w.until("REFUSED")
	wantClearRefusal(t, refusal)
	if l := w.until("CLOSE"); l != "CLOSE ok" {
		t.Fatalf("close after refusal: %s", l)
	}
	w.wait()
	acked := w.acked
	if len(acked) < 100 {
		t.Fatalf("only %d writes before the refusal", len(acked))
	}
	t.Logf("%d notes acknowledged, then: %s (%d MB free)", len(acked), refusal, freeMB())

	// 2. Fill the disk, and read everything while it is full.
	fillDisk(t, filler)
	t.Logf("filled: %d MB free", freeMB())
	read := func(want []string) {
		t.Helper()
		r := startChild(t, "read", dir)
		if l := r.until("RO"); l != "RO true" {
			t.Fatalf("opened on a full disk: %s", l)
		}
		check := r.until("CHECK")
		if !strings.HasSuffix(check, " 0 problems") {
			t.Fatalf("check on a full disk: %s", check)
		}
		wantClearRefusal(t, r.until("REFUSED"))
		r.until("CLOSE ok")
		r.wait()
		seen := map[string]bool{}
		for _, l := range r.log {
			if id, ok := strings.CutPrefix(l, "ID "); ok {
				seen[id] = true
			}
		}
		for _, id := range want {
			if !seen[id] {
				t.Fatalf("acknowledged record %s not listed on a full disk", id)
			}
		}
		t.Logf("full disk, read-only: %s", check)
	}
	read(acked)

	// 3. Refused, then resumed in the same process once space is freed;
	// then the disk fills again under the open store, which closes cleanly.
	rs := startChild(t, "resume", dir)
	if l := rs.until("RO"); l != "RO true" {
		t.Fatalf("opened on a full disk: %s", l)
	}
	wantClearRefusal(t, rs.until("REFUSED"))
	for _, f := range []string{filler, photos} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("filler and photos removed: %d MB free", freeMB())
	rs.until("ACK")
	if l := rs.until("RO"); l != "RO false" {
		t.Fatalf("still read-only after writing: %s", l)
	}
	rs.until("WROTE")
	fillDisk(t, filler)
	t.Logf("filled again under an open store: %d MB free", freeMB())
	fmt.Fprintln(rs.stdin, "go")
	wantClearRefusal(t, rs.until("REFUSED"))
	closed := rs.until("CLOSE")
	rs.wait()
	t.Logf("close of a store whose disk filled under it: %s", closed)
	acked = append(acked, rs.acked...)
	read(acked)

	// 4. Space back: every acknowledged record is there.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.ReadOnly() {
		t.Fatal("read-only with the space back")
	}
	for _, id := range acked {
		if _, err := st.Record(app.RecordID(id)); err != nil {
			t.Fatalf("acknowledged record %s lost: %v", id, err)
		}
	}
	t.Logf("all %d acknowledged records read back; %s in all", len(acked), time.Since(start).Round(time.Millisecond))
}
