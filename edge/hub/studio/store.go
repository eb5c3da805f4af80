package studio

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store keeps drafts, their revisions and the releases in the hub's
// database (migration 5 of edge/hub/db). Every save is a new revision with
// who and when; nothing is overwritten, so any revision can be looked at
// or published.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// NewStore returns the store on the hub's database handle (db.DB.SQL()).
func NewStore(d *sql.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: d, now: now}
}

// Draft is a pack being edited.
type Draft struct {
	ID        string
	Name      string
	CreatedBy string
	Created   time.Time
	Head      int // the latest revision
	// Of the head revision:
	Author string
	Saved  time.Time
}

// Revision is one save of a draft.
type Revision struct {
	Draft  string
	Rev    int
	Author string
	Saved  time.Time
	Note   string
	Files  Files
}

// ErrConflict is a save on a revision that is no longer the latest:
// someone saved in between, and this save would undo their change.
var ErrConflict = errors.New("the draft was saved by someone else in the meantime")

// ErrNotFound is a draft, revision or release that does not exist.
var ErrNotFound = errors.New("not found")

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// putFiles stores each file's bytes once (by SHA-256) and returns the
// revision's index, path -> hash, as JSON.
func putFiles(ctx context.Context, tx *sql.Tx, f Files) (string, error) {
	idx := map[string]string{}
	for name, b := range f {
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		idx[name] = h
		if _, err := tx.ExecContext(ctx, `INSERT INTO studio_blobs (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`,
			h, base64.StdEncoding.EncodeToString(b)); err != nil {
			return "", fmt.Errorf("store %s: %w", name, err)
		}
	}
	j, err := json.Marshal(idx)
	return string(j), err
}

func (s *Store) getFiles(ctx context.Context, index string) (Files, error) {
	var idx map[string]string
	if err := json.Unmarshal([]byte(index), &idx); err != nil {
		return nil, fmt.Errorf("revision index: %w", err)
	}
	out := Files{}
	for name, h := range idx {
		var data string
		if err := s.db.QueryRowContext(ctx, `SELECT data FROM studio_blobs WHERE sha256 = $1`, h).Scan(&data); err != nil {
			return nil, fmt.Errorf("file %s of the revision: %w", name, err)
		}
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("file %s of the revision: %w", name, err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != h {
			return nil, fmt.Errorf("file %s of the revision does not match its SHA-256: the database was changed", name)
		}
		out[name] = b
	}
	return out, nil
}

// Create makes a new draft whose revision 1 is f.
func (s *Store) Create(ctx context.Context, name, user, note string, f Files) (string, error) {
	id := newID()
	now := s.now().UnixMilli()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		idx, err := putFiles(ctx, tx, f)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO studio_drafts (id, name, created_by, created, head) VALUES ($1, $2, $3, $4, 1)`,
			id, name, user, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO studio_revisions (draft, rev, author, saved, note, files) VALUES ($1, 1, $2, $3, $4, $5)`,
			id, user, now, note, idx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("new draft: %w", err)
	}
	return id, nil
}

// Save stores f as the revision after base, by user. If base is no longer
// the draft's latest revision, nothing is saved and ErrConflict returned.
func (s *Store) Save(ctx context.Context, draft string, base int, user, note string, f Files) (int, error) {
	rev := base + 1
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE studio_drafts SET head = $3 WHERE id = $1 AND head = $2`, draft, base, rev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var head int
			if err := tx.QueryRowContext(ctx, `SELECT head FROM studio_drafts WHERE id = $1`, draft).Scan(&head); errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return ErrConflict
		}
		idx, err := putFiles(ctx, tx, f)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO studio_revisions (draft, rev, author, saved, note, files) VALUES ($1, $2, $3, $4, $5, $6)`,
			draft, rev, user, s.now().UnixMilli(), note, idx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save draft: %w", err)
	}
	return rev, nil
}

func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Drafts lists the drafts, the most recently saved first.
func (s *Store) Drafts(ctx context.Context) ([]Draft, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.name, d.created_by, d.created, d.head, r.author, r.saved
		FROM studio_drafts d JOIN studio_revisions r ON r.draft = d.id AND r.rev = d.head ORDER BY r.saved DESC, d.id`)
	if err != nil {
		return nil, fmt.Errorf("drafts: %w", err)
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		var d Draft
		var created, saved int64
		if err := rows.Scan(&d.ID, &d.Name, &d.CreatedBy, &created, &d.Head, &d.Author, &saved); err != nil {
			return nil, err
		}
		d.Created, d.Saved = time.UnixMilli(created), time.UnixMilli(saved)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Draft returns one draft.
func (s *Store) Draft(ctx context.Context, id string) (Draft, error) {
	var d Draft
	var created, saved int64
	err := s.db.QueryRowContext(ctx, `SELECT d.id, d.name, d.created_by, d.created, d.head, r.author, r.saved
		FROM studio_drafts d JOIN studio_revisions r ON r.draft = d.id AND r.rev = d.head WHERE d.id = $1`, id).
		Scan(&d.ID, &d.Name, &d.CreatedBy, &created, &d.Head, &d.Author, &saved)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	d.Created, d.Saved = time.UnixMilli(created), time.UnixMilli(saved)
	return d, err
}

// Revision returns revision rev of draft (0: the latest) with its files.
func (s *Store) Revision(ctx context.Context, draft string, rev int) (Revision, error) {
	if rev == 0 {
		d, err := s.Draft(ctx, draft)
		if err != nil {
			return Revision{}, err
		}
		rev = d.Head
	}
	r := Revision{Draft: draft, Rev: rev}
	var saved int64
	var idx string
	err := s.db.QueryRowContext(ctx, `SELECT author, saved, note, files FROM studio_revisions WHERE draft = $1 AND rev = $2`, draft, rev).
		Scan(&r.Author, &saved, &r.Note, &idx)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Saved = time.UnixMilli(saved)
	r.Files, err = s.getFiles(ctx, idx)
	return r, err
}

// Revisions lists the revisions of draft, newest first, without files.
func (s *Store) Revisions(ctx context.Context, draft string) ([]Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rev, author, saved, note FROM studio_revisions WHERE draft = $1 ORDER BY rev DESC`, draft)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		r := Revision{Draft: draft}
		var saved int64
		if err := rows.Scan(&r.Rev, &r.Author, &saved, &r.Note); err != nil {
			return nil, err
		}
		r.Saved = time.UnixMilli(saved)
		out = append(out, r)
	}
	return out, rows.Err()
}
