// Package brokertest starts a real mosquitto broker for tests: on a free
// loopback port, with a temporary config that is plain, protected by a
// username and password, or served over TLS from a throw-away CA made in
// the test (optionally requiring client certificates). The broker can be
// stopped and started again on the same port mid-test, to simulate outages,
// and it is stopped with t.Cleanup.
//
// Where mosquitto is not installed the test is skipped with a message naming
// the Debian package, except when the environment variable CI is set: then
// it fails, so CI never goes green by skipping.
package brokertest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the mosquitto executable the tests run.
var Binary = "/usr/sbin/mosquitto"

const installHint = "mosquitto is not installed: install the Debian package mosquitto (apt-get install mosquitto)"

// Options says how the broker is configured. The zero value is a plain,
// anonymous broker.
type Options struct {
	// Username and Password, when Username is set, are the only credentials
	// the broker accepts; anonymous clients are refused.
	Username string
	Password string
	// TLS serves MQTT over TLS with a server certificate for 127.0.0.1 and
	// localhost signed by a CA made for this broker (see Broker.CA).
	TLS bool
	// RequireClientCert asks clients for a certificate signed by the same CA
	// (mutual TLS). It implies TLS.
	RequireClientCert bool
}

// Broker is a running (or stopped) mosquitto.
type Broker struct {
	t    testing.TB
	opts Options
	dir  string
	port int
	conf string
	// CA holds the certificate files when Options.TLS is set.
	CA *CA

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start starts a broker and registers its shutdown with t.Cleanup.
func Start(t testing.TB, opts Options) *Broker {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(installHint)
		}
		t.Skip(installHint)
	}
	if opts.RequireClientCert {
		opts.TLS = true
	}
	b := &Broker{t: t, opts: opts, dir: t.TempDir()}
	b.port = freePort(t)
	if opts.TLS {
		ca, err := NewCA(b.dir)
		if err != nil {
			t.Fatalf("brokertest: make CA: %v", err)
		}
		b.CA = ca
	}
	b.writeConfig()
	t.Cleanup(b.Stop)
	b.Start()
	return b
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("brokertest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (b *Broker) writeConfig() {
	t := b.t
	var c strings.Builder
	fmt.Fprintf(&c, "listener %d 127.0.0.1\n", b.port)
	if os.Geteuid() == 0 {
		// Run as root, mosquitto would switch to the mosquitto user, which
		// cannot read the test's temporary files.
		c.WriteString("user root\n")
	}
	// Persistence keeps subscriber sessions (and their queued QoS 1
	// messages) across Stop/Start, as a production broker does.
	fmt.Fprintf(&c, "persistence true\npersistence_location %s/\nautosave_interval 0\n", b.dir)
	c.WriteString("max_queued_messages 0\nmax_inflight_messages 0\nmax_queued_bytes 0\n")
	c.WriteString("log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n")
	if b.opts.Username != "" {
		pw := filepath.Join(b.dir, "passwd")
		if err := os.WriteFile(pw, nil, 0o600); err != nil {
			t.Fatalf("brokertest: %v", err)
		}
		out, err := exec.Command("mosquitto_passwd", "-b", pw, b.opts.Username, b.opts.Password).CombinedOutput()
		if err != nil {
			t.Fatalf("brokertest: mosquitto_passwd: %v: %s", err, out)
		}
		fmt.Fprintf(&c, "allow_anonymous false\npassword_file %s\n", pw)
	} else {
		c.WriteString("allow_anonymous true\n")
	}
	if b.opts.TLS {
		fmt.Fprintf(&c, "cafile %s\ncertfile %s\nkeyfile %s\n", b.CA.CAFile, b.CA.ServerCertFile, b.CA.ServerKeyFile)
		if b.opts.RequireClientCert {
			c.WriteString("require_certificate true\n")
		}
	}
	b.conf = filepath.Join(b.dir, "mosquitto.conf")
	if err := os.WriteFile(b.conf, []byte(c.String()), 0o600); err != nil {
		t.Fatalf("brokertest: write config: %v", err)
	}
}

// Start starts a stopped broker again on the same port. Sessions of
// subscribers with a persistent session survive.
func (b *Broker) Start() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd != nil {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.log = &syncBuffer{}
		cmd := exec.Command(Binary, "-c", b.conf)
		cmd.Stdout = b.log
		cmd.Stderr = b.log
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			b.t.Fatalf("brokertest: start mosquitto: %v", err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		if b.waitReady(done, deadline) {
			b.cmd, b.done = cmd, done
			return
		}
		_ = cmd.Process.Kill()
		<-done
		if out := b.log.String(); !strings.Contains(out, "in use") || time.Now().After(deadline) {
			b.t.Fatalf("brokertest: mosquitto did not start on port %d: %s", b.port, out)
		}
		// Most likely the port is still held by the previous instance's
		// closing sockets: retry.
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *Broker) waitReady(done chan struct{}, deadline time.Time) bool {
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		c, err := net.DialTimeout("tcp", b.Addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Stop stops the broker (SIGTERM, so it saves its sessions) and waits for
// it to exit. Stopping a stopped broker does nothing.
func (b *Broker) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
	b.cmd, b.done = nil, nil
}

// Running reports whether the broker is started.
func (b *Broker) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cmd != nil
}

// Port is the broker's loopback port.
func (b *Broker) Port() int { return b.port }

// Addr is host:port of the broker.
func (b *Broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// URL is the broker URL a client uses: tcp://127.0.0.1:port, or
// ssl://127.0.0.1:port with TLS.
func (b *Broker) URL() string {
	if b.opts.TLS {
		return "ssl://" + b.Addr()
	}
	return "tcp://" + b.Addr()
}

// Options returns the options the broker was started with.
func (b *Broker) Options() Options { return b.opts }

// ClientTLS is a TLS config that trusts the broker's CA and, when client
// certificates are required, presents one. It is nil without TLS.
func (b *Broker) ClientTLS() *tls.Config {
	if b.CA == nil {
		return nil
	}
	cfg, err := b.CA.ClientTLS(b.opts.RequireClientCert)
	if err != nil {
		b.t.Fatalf("brokertest: %v", err)
	}
	return cfg
}

// Log returns what the current (or last) mosquitto process wrote.
func (b *Broker) Log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.log == nil {
		return ""
	}
	return b.log.String()
}
