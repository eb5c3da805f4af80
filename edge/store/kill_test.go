package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

const killChildEnv = "WUFANG_STORE_KILL_CHILD"

// TestKillRecorder SIGKILLs a process that is recording from 16 goroutines
// (and acknowledging) at random moments, and checks after every kill that
// the file opens, that every Record that returned is there, that seqs are
// contiguous and never reused, and that the counters equal a recount of
// the events: the event and its counts are never split by a crash.
func TestKillRecorder(t *testing.T) {
	if p := os.Getenv(killChildEnv); p != "" {
		killChild(p)
		return
	}
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	p := filepath.Join(t.TempDir(), "edge.db")
	var returned uint64 // Records that returned nil, over all runs
	for run := 1; run <= 12; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillRecorder$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+p)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		if l := <-lines; l != "ready" {
			t.Fatalf("child said %q", l)
		}
		time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond) // a random moment
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		for l := range lines {
			if l == "ok" {
				returned++
			}
		}
		checkAfterKill(t, p, run, returned)
	}
	t.Logf("12 kills, %d Records returned before them", returned)
}

func killChild(p string) {
	s, err := Open(p, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString("ready\n")
	var mu sync.Mutex // one write per line, so a kill never splits one
	events := visitEvents(1000)
	for w := 0; w < 16; w++ {
		go func(w int) {
			for i := w; ; i += 16 {
				if err := s.Record(context.Background(), events[i%len(events)]); err != nil {
					fmt.Println("record:", err)
					os.Exit(1)
				}
				mu.Lock()
				os.Stdout.WriteString("ok\n")
				mu.Unlock()
			}
		}(w)
	}
	for { // an uplink that acknowledges what it reads
		ev, _ := s.Pending(s.Watermark(), 100)
		for _, e := range ev {
			s.Ack(e.Seq)
		}
		time.Sleep(time.Millisecond)
	}
}

func checkAfterKill(t *testing.T, p string, run int, returned uint64) {
	t.Helper()
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatalf("run %d: open after kill: %v", run, err)
	}
	defer s.Close()
	st := s.Stats()
	if st.Recovered != "" || st.Boot != uint64(2*run) { // the child's Open and ours
		t.Fatalf("run %d: %+v", run, st)
	}
	if run > 3 && st.Watermark == 0 {
		t.Fatalf("run %d: %+v", run, st)
	}
	if st.LastSeq < returned {
		t.Fatalf("run %d: %d Records returned but the last seq is %d", run, returned, st.LastSeq)
	}
	var recount wire.Counters
	var n uint64
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			n++
			if seq := binary.BigEndian.Uint64(k); seq != n {
				return fmt.Errorf("seq %d at position %d", seq, n)
			}
			e, err := decodeEvent(n, v)
			if err != nil {
				return err
			}
			recount.Add(e)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("run %d: %v", run, err)
	}
	if n != st.LastSeq || st.Events != n {
		t.Fatalf("run %d: %d events held, last seq %d", run, n, st.LastSeq)
	}
	tot := s.Totals()
	if !tot.Lifetime.Equal(recount) {
		t.Fatalf("run %d: lifetime counters differ from a recount of the events", run)
	}
	days, _ := s.Days("0000-01-01", "9999-12-31")
	var sum wire.Counters
	for _, d := range days {
		sum.Merge(d.Counters)
	}
	if !sum.Equal(recount) {
		t.Fatalf("run %d: day counters differ from a recount", run)
	}
	if st.Watermark > st.LastSeq {
		t.Fatalf("run %d: watermark %d beyond %d", run, st.Watermark, st.LastSeq)
	}
}
