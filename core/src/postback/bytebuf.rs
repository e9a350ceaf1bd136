//! A byte buffer for the large, short-lived bytes of decoding (a received body, a decoded
//! body, the item being read), whose memory goes back to the operating system when it is
//! dropped.
//!
//! Why not a `Vec`: glibc's malloc raises its mmap threshold each time a large block is
//! freed, after which blocks of that size come from per-thread arenas that keep freed memory
//! cached. Measured with sixteen hostile bodies at once (`core/tests/postback_memory.rs`), that
//! cache doubled the resident size the decoding budget allows (+110 MiB for a 48 MiB budget).
//! Past [`MAP_ABOVE`] bytes, this buffer is an anonymous memory map of the largest size the
//! caller will need (address space only: pages count once they are written), so it never
//! moves when it grows and is unmapped on drop.

use memmap2::MmapMut;

/// Below this a plain `Vec` (small blocks are reused by malloc without growing).
const MAP_ABOVE: usize = 256 * 1024;

const PAGE: usize = 4096;

pub(crate) struct ByteBuf {
    vec: Vec<u8>,
    map: Option<MmapMut>,
    /// Bytes in use (in `map` when it is set, else `vec.len()`).
    len: usize,
    /// The most this buffer will ever hold.
    max: usize,
    /// The largest `len` reached while mapped: the pages written.
    touched: usize,
}

impl ByteBuf {
    /// An empty buffer that will hold at most `max` bytes.
    pub(crate) fn with_max(max: usize) -> Self {
        ByteBuf {
            vec: Vec::new(),
            map: None,
            len: 0,
            max,
            touched: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The memory this buffer holds, for the decoding budget.
    pub(crate) fn footprint(&self) -> usize {
        match self.map {
            Some(_) => self.touched.div_ceil(PAGE) * PAGE,
            None => self.vec.capacity(),
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match &self.map {
            Some(map) => &map[..self.len],
            None => &self.vec,
        }
    }

    /// Makes room for `extra` more bytes; `false` when that passes `max`.
    fn room(&mut self, extra: usize) -> bool {
        let want = match self.len.checked_add(extra) {
            Some(want) if want <= self.max => want,
            _ => return false,
        };
        if self.map.is_none() && want > MAP_ABOVE {
            if let Ok(mut map) = MmapMut::map_anon(self.max.max(1)) {
                map[..self.len].copy_from_slice(&self.vec);
                self.vec = Vec::new();
                self.touched = self.len;
                self.map = Some(map);
            }
        }
        if self.map.is_none() && want > self.vec.capacity() {
            // The mapping failed or is not needed yet: grow as a Vec, never past `max`.
            let target = (self.vec.capacity() * 2).clamp(want, self.max.max(want));
            self.vec.reserve_exact(target - self.vec.len());
        }
        true
    }

    /// Appends `data`; `false` (and nothing appended) when that would pass `max`.
    pub(crate) fn extend_from_slice(&mut self, data: &[u8]) -> bool {
        if !self.room(data.len()) {
            return false;
        }
        match &mut self.map {
            Some(map) => {
                map[self.len..self.len + data.len()].copy_from_slice(data);
                self.len += data.len();
                self.touched = self.touched.max(self.len);
            }
            None => {
                self.vec.extend_from_slice(data);
                self.len = self.vec.len();
            }
        }
        true
    }

    /// Lets `read` write up to `extra` bytes after the end and keeps the count it returns
    /// (at most `extra`); `None` when `extra` more bytes would pass `max`.
    pub(crate) fn fill<E>(
        &mut self,
        extra: usize,
        read: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Option<Result<usize, E>> {
        if !self.room(extra) {
            return None;
        }
        let len = self.len;
        let result = match &mut self.map {
            Some(map) => read(&mut map[len..len + extra]),
            None => {
                self.vec.resize(len + extra, 0);
                read(&mut self.vec[len..])
            }
        };
        let n = match &result {
            Ok(n) => (*n).min(extra),
            Err(_) => 0,
        };
        match &mut self.map {
            Some(_) => {
                self.len += n;
                // The reader may have written anywhere in the slice it was handed.
                self.touched = self.touched.max(len + extra);
            }
            None => {
                self.vec.truncate(len + n);
                self.len = self.vec.len();
            }
        }
        Some(result)
    }

    /// Drops the first `n` bytes (moving the rest to the front).
    pub(crate) fn consume_front(&mut self, n: usize) {
        let n = n.min(self.len);
        match &mut self.map {
            Some(map) => {
                map.copy_within(n..self.len, 0);
                self.len -= n;
            }
            None => {
                self.vec.drain(..n);
                self.len = self.vec.len();
            }
        }
    }
}

impl std::ops::Deref for ByteBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_past_the_map_threshold_and_keeps_its_bytes() {
        let mut buf = ByteBuf::with_max(4 << 20);
        let chunk: Vec<u8> = (0..=255).cycle().take(100_000).collect();
        for _ in 0..30 {
            assert!(buf.extend_from_slice(&chunk));
        }
        assert_eq!(buf.len(), 3_000_000);
        assert!(buf.map.is_some());
        assert_eq!(&buf[..100_000], &chunk[..]);
        buf.consume_front(100_000);
        assert_eq!(&buf[..100_000], &chunk[..]);
        assert!(!buf.extend_from_slice(&vec![0; 2 << 20]), "past max");
        let n = buf.fill(10, |out| {
            out[..3].copy_from_slice(b"abc");
            Ok::<_, ()>(3)
        });
        assert_eq!(n, Some(Ok(3)));
        assert!(buf.ends_with(b"abc"));
        assert!(buf.footprint() >= 3_000_000);
    }

    #[test]
    fn small_buffers_stay_vectors() {
        let mut buf = ByteBuf::with_max(1 << 20);
        assert!(buf.extend_from_slice(b"hello"));
        assert_eq!(buf.fill(4, |_| Ok::<_, ()>(0)), Some(Ok(0)));
        assert_eq!(&buf[..], b"hello");
        assert!(buf.map.is_none());
        buf.consume_front(2);
        assert_eq!(&buf[..], b"llo");
    }
}
