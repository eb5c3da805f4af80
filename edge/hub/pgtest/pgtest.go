// Package pgtest starts a real PostgreSQL 15 server for tests: initdb and
// postgres from Debian's postgresql-15 package, in a temporary folder, on a
// free loopback port, stopped with t.Cleanup. Each test takes a fresh
// database from it with NewDatabase.
//
// PostgreSQL refuses to run as root; when the tests run as root (as CI
// does) the server runs as the postgres system user through runuser, in a
// folder made accessible to it.
//
// Where PostgreSQL is not installed the test is skipped with a message
// naming the Debian package, except when the environment variable CI is
// set: then it fails, so CI never goes green by skipping (as brokertest
// does for mosquitto).
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// BinDir holds Debian's PostgreSQL 15 programs.
var BinDir = "/usr/lib/postgresql/15/bin"

const installHint = "PostgreSQL 15 is not installed: install the Debian package postgresql-15 (apt-get install postgresql-15)"

// Server is a running PostgreSQL.
type Server struct {
	t    testing.TB
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
	n    atomic.Int64
}

// Start initialises a cluster in a temporary folder and starts it.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := os.Stat(filepath.Join(BinDir, "postgres")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(installHint)
		}
		t.Skip(installHint)
	}
	var prefix []string
	var owner *user.User
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgtest: running as root needs the postgres system user (made by the postgresql-15 package): %v", err)
		}
		owner = u
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	data := filepath.Join(dir, "data")
	args := append(append([]string{}, prefix...), filepath.Join(BinDir, "initdb"), "-D", data, "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	s := &Server{t: t, dir: dir, port: freePort(t), log: &bytes.Buffer{}}
	args = append(append([]string{}, prefix...), filepath.Join(BinDir, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-c", "port="+strconv.Itoa(s.port),
		"-c", "unix_socket_directories="+dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "shared_buffers=32MB", "-c", "max_connections=60")
	s.cmd = exec.Command(args[0], args[1:]...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("pgtest: start postgres: %v", err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.stop)
	if err := s.waitReady(30 * time.Second); err != nil {
		t.Fatalf("pgtest: %v\n%s", err, s.log.String())
	}
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited at start")
		default:
		}
		db, err := sql.Open("pgx", s.URL("postgres"))
		if err == nil {
			err = db.Ping()
			db.Close()
			if err == nil {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("postgres did not accept connections on port %d within %v", s.port, timeout)
}

// Stop stops the server for good: a database outage (the test's cleanup
// then has nothing left to stop).
func (s *Server) Stop() { s.stop() }

// Pause freezes the server (SIGSTOP to the postmaster and every backend;
// each backend is in a session of its own): connections stay open and
// nothing answers, a hung database. Resume thaws it.
func (s *Server) Pause() { s.signalAll(syscall.SIGSTOP) }

// Resume thaws a paused server.
func (s *Server) Resume() { s.signalAll(syscall.SIGCONT) }

func (s *Server) signalAll(sig syscall.Signal) {
	b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		s.t.Errorf("pgtest: %v", err)
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pm, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		s.t.Errorf("pgtest: postmaster.pid: %v", err)
		return
	}
	procs, _ := os.ReadDir("/proc")
	for _, e := range procs {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
		st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(st), ')'); err == nil && i > 0 {
			if f := strings.Fields(string(st[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(pm) {
				_ = syscall.Kill(pid, sig)
			}
		}
	}
	_ = syscall.Kill(pm, sig)
}

// stop asks for a fast shutdown (SIGINT) and waits; runuser passes the
// signal on, and the process group catches what it does not.
func (s *Server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// URL is the connection URL of database name.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Port is the server's loopback port.
func (s *Server) Port() int { return s.port }

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", s.n.Add(1))
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return s.URL(name)
}
