package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// The full page check and the salvage of a damaged file read pages that may
// point anywhere. bbolt's tx.Check walks them in a goroutine of its own,
// where debug.SetPanicOnFault is not in force, so a wild page pointer is a
// fatal "unexpected fault address", and a page that points back at its
// parent recurses until the stack overflows, which no recover catches
// either. Both therefore run in a child process: the same executable,
// started with childEnv set, which this package's init hands to runChild
// before main runs. Whatever the child meets, the parent only sees an exit
// status (and, for a salvage, the records that arrived before it ended), so
// a damaged file can never crash the daemon into a restart loop.
const childEnv = "WUFANG_STORE_CHILD"

// childTimeout bounds a check or salvage (a 256 MiB file takes seconds; a
// page cycle would loop for ever).
var childTimeout = 5 * time.Minute

// Exit statuses of the child.
const (
	childOK      = 0
	childProblem = 1 // the check found problems (listed on stdout)
	childLocked  = 3 // another process holds the file
	childNoOpen  = 4 // bbolt cannot open the file at all
)

func init() {
	v, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	mode, path, _ := strings.Cut(v, ":")
	os.Exit(runChild(mode, path, os.Stdout))
}

// runChild is the child's whole life: check or salvage path, write the
// result to w, return the exit status.
func runChild(mode, path string, w io.Writer) int {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return childLocked
	}
	if err != nil {
		fmt.Fprintln(w, err)
		return childNoOpen
	}
	defer db.Close()
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	switch mode {
	case "check":
		n := 0
		_ = db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				if n < 10 {
					fmt.Fprintln(bw, err)
				}
				n++
			}
			return nil
		})
		if n > 0 {
			return childProblem
		}
		return childOK
	case "salvage":
		salvageInto(db, gob.NewEncoder(bw), bw)
		return childOK
	}
	fmt.Fprintf(bw, "unknown mode %q\n", mode)
	return 2
}

// startChild runs the child for mode on path. out receives its stdout.
func startChild(ctx context.Context, mode, path string) (*exec.Cmd, io.ReadCloser, *strings.Builder, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), childEnv+"="+mode+":"+path)
	var stderr strings.Builder
	cmd.Stderr = &limitWriter{w: &stderr, n: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, err
	}
	return cmd, out, &stderr, nil
}

type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// errNoChild: the child process could not be started.
var errNoChild = errors.New("store: cannot start the checking process")

// checkInChild runs bbolt's full page check on path in a child process. It
// returns nil for a sound file, ErrCorrupt when the check found problems or
// the child died of the file (a fault, a stack overflow, the time limit),
// ErrLocked, or errNoChild.
func checkInChild(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd, out, stderr, err := startChild(ctx, "check", path)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoChild, err)
	}
	b, _ := io.ReadAll(io.LimitReader(out, 64<<10))
	_, _ = io.Copy(io.Discard, out)
	err = cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	switch {
	case err == nil:
		return nil
	case code == childLocked:
		return fmt.Errorf("%w: %s", ErrLocked, path)
	case code == childProblem, code == childNoOpen:
		first, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		return fmt.Errorf("%w: %s: full check: %s", ErrCorrupt, path, first)
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %s: full check did not finish within %v", ErrCorrupt, path, childTimeout)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
	return fmt.Errorf("%w: %s: full check crashed (%v): %s", ErrCorrupt, path, err, first)
}

// salvageRec is one record of the salvage stream, child to parent: first
// the meta record, then the days, then the unsent events in seq order.
type salvageRec struct {
	Meta *salvageMeta
	Day  *wire.Daily
	Seq  uint64
	Val  []byte // the encoded event
}

type salvageMeta struct {
	Epoch                      string
	Boot, LastSeq, WM, Dropped uint64
	Lifetime                   wire.Counters
	Lost                       []seqRange
}

// salvageInto is the child's side of a salvage: it streams what it can read.
// Every read runs with faults turned into panics; a panic only skips what it
// hit. A crash the child cannot recover from ends the stream early, and the
// parent keeps what arrived.
func salvageInto(db *bolt.DB, enc *gob.Encoder, bw *bufio.Writer) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	send := func(r salvageRec) bool { return enc.Encode(r) == nil }
	var meta salvageMeta
	ok := guarded(func() {
		_ = db.View(func(tx *bolt.Tx) error {
			m := tx.Bucket(bucketMeta)
			if m == nil || string(m.Get(keyFormat)) != formatName {
				return nil
			}
			if b := m.Get(keyLifetime); b != nil {
				if json.Unmarshal(b, &meta.Lifetime) != nil {
					return nil
				}
			}
			if e := string(m.Get(keyEpoch)); wire.ValidEpoch(e) {
				meta.Epoch = e
			}
			meta.Boot = getUint(m, keyBoot)
			meta.LastSeq = getUint(m, keySeq)
			meta.WM = min(getUint(m, keyWatermark), meta.LastSeq)
			meta.Dropped = getUint(m, keyDropped)
			meta.Lost = readLost(m)
			return nil
		})
	})
	if !ok || meta.LastSeq == 0 && meta.Boot == 0 {
		return
	}
	if !send(salvageRec{Meta: &meta}) {
		return
	}
	bw.Flush() // the meta record matters most: out before any risky read
	guarded(func() {
		_ = db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDays)
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				var d wire.Daily
				if json.Unmarshal(v, &d) == nil && d.Date == string(k) {
					send(salvageRec{Day: &d})
				}
				return nil
			})
		})
	})
	bw.Flush()
	salvageEvents(db, meta.WM, meta.LastSeq, func(seq uint64, v []byte) bool {
		return send(salvageRec{Seq: seq, Val: v})
	})
}

// guarded runs f with a panic (or a fault, where SetPanicOnFault is on)
// ending it; it reports whether f returned normally.
func guarded(f func()) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f()
	return true
}

// salvageEvents hands emit every readable event with wm < seq <= last, in
// seq order. A damaged page ends a scan with a panic; the scan then probes
// forward (doubling steps, then halving back) for the first seq a seek can
// reach again, so one bad page costs only the events on it.
func salvageEvents(db *bolt.DB, wm, last uint64, emit func(uint64, []byte) bool) {
	next := wm + 1
	for next <= last && next > wm {
		stop := false
		done := guarded(func() {
			_ = db.View(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketEvents)
				if b == nil {
					stop = true
					return nil
				}
				c := b.Cursor()
				for k, v := c.Seek(seqKey(next)); k != nil; k, v = c.Next() {
					if len(k) != 8 {
						continue
					}
					seq := binary.BigEndian.Uint64(k)
					if seq > last {
						break
					}
					if seq < next {
						continue // a damaged key out of order
					}
					next = seq + 1
					if _, err := decodeEvent(seq, v); err != nil {
						continue
					}
					if !emit(seq, append([]byte(nil), v...)) {
						stop = true
						return nil
					}
				}
				stop = true // reached the end
				return nil
			})
		})
		if stop || done {
			return
		}
		// next cannot be read: find the first seq after it that a seek
		// reaches without a panic.
		reach := func(seq uint64) bool {
			return guarded(func() {
				_ = db.View(func(tx *bolt.Tx) error {
					tx.Bucket(bucketEvents).Cursor().Seek(seqKey(seq))
					return nil
				})
			})
		}
		bad, step := next, uint64(1)
		good := uint64(0)
		for bad < last {
			p := min(bad+step, last)
			if reach(p) {
				good = p
				break
			}
			bad, step = p, step*2
		}
		if good == 0 {
			return
		}
		for good-bad > 1 {
			mid := bad + (good-bad)/2
			if reach(mid) {
				good = mid
			} else {
				bad = mid
			}
		}
		next = good
	}
}

// salvageInChild reads what it can of a damaged file through a child
// process and hands each record to take. It returns errNoChild when the
// child cannot be started.
func salvageInChild(path string, take func(salvageRec) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd, out, stderr, err := startChild(ctx, "salvage", path)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoChild, err)
	}
	dec := gob.NewDecoder(bufio.NewReader(out))
	var terr error
	for terr == nil {
		var r salvageRec
		if dec.Decode(&r) != nil {
			break // the end, or the child died: keep what came
		}
		terr = take(r)
	}
	_, _ = io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if terr != nil {
		return terr
	}
	switch code := cmd.ProcessState.ExitCode(); {
	case werr == nil:
		return nil
	case code == childLocked:
		return fmt.Errorf("%w: %s", ErrLocked, path)
	case ctx.Err() != nil:
		return fmt.Errorf("%w: salvage did not finish within %v", errChildDied, childTimeout)
	default:
		first, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return fmt.Errorf("%w: %v: %s", errChildDied, werr, first)
	}
}

// errChildDied: the salvage ended early (what arrived before is kept).
var errChildDied = errors.New("store: the salvage process ended early")
