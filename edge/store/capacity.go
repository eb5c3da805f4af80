package store

import (
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// capacity keeps the bbolt file under the cap. bbolt grows its file to the
// high-water mark of pages in use plus AllocSize and never shrinks it, and
// refuses (ErrMaxSizeReached, via Options.MaxSize) any allocation that would
// pass the cap. The store keeps the live pages (high-water mark minus free
// pages) under high, dropping the oldest events down to low, so freed pages
// are reused and the high-water mark stays put.
type capacity struct {
	max    int64
	page   int
	alloc  int   // bbolt AllocSize: the file grows in steps this big
	budget int64 // the high-water mark must stay under this
	high   int64 // live bytes that trigger dropping
	low    int64 // live bytes dropping aims for

	avgEvent atomic.Int64 // running average of encoded event size, ×16
}

func newCapacity(maxBytes int64, page int) (c capacity) {
	c.page = page
	c.setMax(maxBytes)
	return
}

// setMax sets the cap (the running event size estimate stays).
func (c *capacity) setMax(maxBytes int64) {
	alloc := maxBytes / 32
	alloc -= alloc % int64(c.page)
	alloc = min(max(alloc, 4*int64(c.page)), 16<<20)
	budget := maxBytes - alloc - 4*int64(c.page)
	c.max, c.alloc, c.budget = maxBytes, int(alloc), budget
	c.high, c.low = budget*85/100, budget*70/100
}

func (c *capacity) observe(n int) {
	old := c.avgEvent.Load()
	if old == 0 {
		c.avgEvent.Store(int64(n) * 16)
		return
	}
	c.avgEvent.Store(old - old/64 + int64(n)*16/64)
}

// perEvent estimates the bytes of one event in a leaf page: encoded value,
// key and the 16-byte element header, plus slack for partly filled pages.
func (c *capacity) perEvent() int64 {
	avg := c.avgEvent.Load() / 16
	if avg == 0 {
		avg = 40
	}
	return (avg + 8 + 16) * 11 / 10
}

func (c *capacity) live(db *bolt.DB) int64 {
	var size int64
	_ = db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	st := db.Stats()
	return size - int64(st.FreePageN+st.PendingPageN)*int64(c.page)
}

// overBudget returns how many of the held events to drop before adding
// incoming ones, given the current high-water mark and freelist.
func (c *capacity) overBudget(hwm int64, st bolt.Stats, incoming int, held uint64) uint64 {
	live := hwm - int64(st.FreePageN+st.PendingPageN)*int64(c.page)
	per := c.perEvent()
	// A transaction also rewrites the pages it touches (copy on write):
	// count the incoming events twice.
	if live+2*int64(incoming)*per <= c.high {
		return 0
	}
	n := uint64((live + 2*int64(incoming)*per - c.low) / per)
	return min(n, held, 200000)
}
