//! Shared memory for isolated batches: one anonymous file (`memfd`) per channel, created by
//! the host before it starts the child and inherited by the child as a descriptor. The host
//! writes a batch's buffers into it once ([`HostMap`]); the child maps the same file and
//! reads them in place as Arrow buffers ([`ChildMap`], [`Mapping::buffer`]), so only a small
//! control message crosses the pipe.
//!
//! Safety of the sharing rests on the channel discipline of [`super::Child`] and
//! [`super::update`]: the host writes into a channel's file only while it has reserved that
//! channel, and a batch only after the bytes of every batch sent and not yet answered there;
//! it reads a batch's row statuses back only after the child answered that batch; the child
//! touches a batch's bytes only between the request and its answer. The host only ever grows the file, and the
//! file is sealed against shrinking, so neither side can be left with a mapping past its end
//! (which would raise `SIGBUS`), whatever the plugin in the child does.

use arrow_buffer::Buffer;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::Arc;

/// Size of a channel's file before its first batch, and the least it grows by.
const INITIAL: usize = 1 << 20;

/// A shared (`MAP_SHARED`), readable and writable mapping of a whole file; unmapped when
/// dropped, which for the child is when the last Arrow buffer over it is dropped.
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; which side writes which bytes
// when is governed by the channel protocol (module docs), not by this type.
unsafe impl Send for Mapping {}
// SAFETY: as for Send: shared access goes through raw pointers under the channel protocol.
unsafe impl Sync for Mapping {}
impl std::panic::RefUnwindSafe for Mapping {}

impl Mapping {
    /// Maps the first `len` bytes of `fd` (which must be at least that long).
    fn new(fd: RawFd, len: usize) -> io::Result<Mapping> {
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty mapping"));
        }
        // SAFETY: a fresh mapping chosen by the kernel (null address hint); the result is
        // checked for MAP_FAILED before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast::<u8>())
            .ok_or_else(|| io::Error::other("mmap returned a null address"))?;
        Ok(Mapping { ptr, len })
    }

    /// Whether `pos..pos + len` lies inside the mapping.
    fn contains(&self, pos: usize, len: usize) -> bool {
        pos.checked_add(len).is_some_and(|end| end <= self.len)
    }

    /// The bytes `pos..pos + len` as an Arrow buffer that keeps the mapping alive (no
    /// copy); `None` when the range is outside the mapping.
    pub(crate) fn buffer(self: &Arc<Self>, pos: usize, len: usize) -> Option<Buffer> {
        if !self.contains(pos, len) {
            return None;
        }
        // SAFETY: `pos` is inside the mapping (checked above), so the offset pointer is in
        // bounds and non-null.
        let ptr = unsafe { NonNull::new_unchecked(self.ptr.as_ptr().add(pos)) };
        // SAFETY: `ptr..ptr + len` is inside the mapping, which the buffer's owner (an Arc
        // of this mapping) keeps mapped for as long as the buffer lives.
        Some(unsafe { Buffer::from_custom_allocation(ptr, len, self.clone()) })
    }

    /// Start of `pos..pos + len` for the caller to write through, `None` outside the
    /// mapping.
    pub(crate) fn range_ptr(&self, pos: usize, len: usize) -> Option<*mut u8> {
        if !self.contains(pos, len) {
            return None;
        }
        // SAFETY: `pos <= len` of the mapping (checked above): in bounds or one past the end.
        Some(unsafe { self.ptr.as_ptr().add(pos) })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly what mmap returned and was asked for, and
        // nothing refers to the mapping any more (buffers over it hold this value).
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

/// The host's side of a channel's shared file: written before each request, grown as
/// batches need.
pub(crate) struct HostMap {
    file: OwnedFd,
    map: Mapping,
}

impl HostMap {
    /// A new sealed-against-shrinking anonymous file of [`INITIAL`] bytes, mapped. Its
    /// descriptor closes on exec; the host places it in the child explicitly.
    pub(crate) fn create() -> io::Result<HostMap> {
        // SAFETY: a NUL-terminated name; the flags ask for a close-on-exec, sealable file.
        let fd = unsafe {
            libc::memfd_create(
                c"cxm-batch".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: memfd_create succeeded: `fd` is open and owned by nobody else.
        let file = unsafe { OwnedFd::from_raw_fd(fd) };
        resize(&file, INITIAL)?;
        // SAFETY: fcntl on the descriptor just created. No shrinking, and no further seals
        // (the child could otherwise forbid the host to grow the file).
        if unsafe {
            libc::fcntl(
                file.as_raw_fd(),
                libc::F_ADD_SEALS,
                libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL,
            )
        } != 0
        {
            return Err(io::Error::last_os_error());
        }
        let map = Mapping::new(file.as_raw_fd(), INITIAL)?;
        Ok(HostMap { file, map })
    }

    /// The file's descriptor, to pass to the child.
    pub(crate) fn fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }

    /// Bytes mapped (the file's size).
    pub(crate) fn len(&self) -> usize {
        self.map.len
    }

    /// Makes the file at least `needed` bytes long (the next power of two), remapping it.
    pub(crate) fn reserve(&mut self, needed: usize) -> io::Result<()> {
        if needed <= self.map.len {
            return Ok(());
        }
        let len = needed
            .checked_next_power_of_two()
            .ok_or_else(|| io::Error::other("batch too large to share"))?
            .max(INITIAL);
        resize(&self.file, len)?;
        self.map = Mapping::new(self.file.as_raw_fd(), len)?;
        Ok(())
    }

    /// Copies `bytes` to `pos`; `false` (nothing written) when they do not fit.
    pub(crate) fn write(&mut self, pos: usize, bytes: &[u8]) -> bool {
        let Some(dst) = self.map.range_ptr(pos, bytes.len()) else {
            return false;
        };
        // SAFETY: `dst..dst + bytes.len()` is inside the mapping (range_ptr checked it) and
        // cannot overlap `bytes`, which is this process's own memory outside it; the child
        // does not read the file until the request is sent.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) };
        true
    }

    /// A copy of the bytes `pos..pos + len`, `None` outside the file.
    pub(crate) fn read(&self, pos: usize, len: usize) -> Option<Vec<u8>> {
        let src = self.map.range_ptr(pos, len)?;
        let mut out = Vec::with_capacity(len);
        // SAFETY: `src..src + len` is inside the mapping (checked); `out` has room for `len`
        // bytes and does not overlap it. The child wrote them before its reply, which the
        // caller has read.
        unsafe {
            std::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), len);
            out.set_len(len);
        }
        Some(out)
    }
}

/// Sets the size of the shared file.
fn resize(file: &OwnedFd, len: usize) -> io::Result<()> {
    let len = libc::off_t::try_from(len).map_err(|_| io::Error::other("mapping too large"))?;
    // SAFETY: ftruncate on an open descriptor this process owns.
    if unsafe { libc::ftruncate(file.as_raw_fd(), len) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The child's side of a channel's shared file: mapped at the size the host announces with
/// each batch (a new mapping when the host has grown the file; the old one stays until the
/// last buffer over it is dropped).
pub(crate) struct ChildMap {
    fd: RawFd,
    map: Option<Arc<Mapping>>,
}

impl ChildMap {
    /// The shared file inherited as descriptor `fd` (not mapped until a batch arrives).
    pub(crate) fn new(fd: RawFd) -> ChildMap {
        ChildMap { fd, map: None }
    }

    /// The file mapped at `len` bytes (the host's current size).
    pub(crate) fn view(&mut self, len: usize) -> io::Result<Arc<Mapping>> {
        if let Some(map) = &self.map {
            if map.len == len {
                return Ok(map.clone());
            }
        }
        let mut size = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: fstat writes a stat into `size`; the result is checked before reading it.
        if unsafe { libc::fstat(self.fd, size.as_mut_ptr()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fstat succeeded, so it initialised the stat.
        let size = unsafe { size.assume_init() }.st_size;
        if u64::try_from(size).map_or(true, |s| s < len as u64) {
            return Err(io::Error::other(format!(
                "shared file has {size} bytes, batch announced {len}"
            )));
        }
        let map = Arc::new(Mapping::new(self.fd, len)?);
        self.map = Some(map.clone());
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_child_sees_what_the_host_wrote_and_the_file_grows() {
        let mut host = HostMap::create().unwrap();
        assert!(host.write(64, b"hello"));
        assert!(!host.write(host.len() - 2, b"hello"), "past the end");
        let mut child = ChildMap::new(host.fd());
        let map = child.view(host.len()).unwrap();
        assert_eq!(map.buffer(64, 5).unwrap().as_slice(), b"hello");
        assert!(map.buffer(map.len - 1, 2).is_none());
        host.reserve(3 * INITIAL).unwrap();
        assert_eq!(host.len(), 4 * INITIAL);
        assert!(host.write(3 * INITIAL, b"far"));
        let grown = child.view(host.len()).unwrap();
        assert_eq!(grown.buffer(3 * INITIAL, 3).unwrap().as_slice(), b"far");
        assert_eq!(grown.buffer(64, 5).unwrap().as_slice(), b"hello");
        // The child writes row statuses back in place.
        let p = grown.range_ptr(10, 2).unwrap();
        // SAFETY: two bytes inside the mapping, nobody else writing them.
        unsafe { std::ptr::copy_nonoverlapping([7u8, 8].as_ptr(), p, 2) };
        assert_eq!(host.read(10, 2).unwrap(), vec![7, 8]);
        // Shrinking is sealed off.
        // SAFETY: ftruncate on the test's own descriptor.
        assert_ne!(unsafe { libc::ftruncate(host.fd(), 16) }, 0);
    }
}
