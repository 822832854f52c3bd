// Driver for the virtio block device that QEMU puts at VIRTIO0 (virtio-mmio,
// version 2), with one split virtqueue of VIRTQ_SIZE descriptors.
//
// A request is a chain of three descriptors: the request header (read by
// the device), the buffer's data (read or written), and a status byte
// (written). The caller sleeps until the completion interrupt; with
// VIRTQ_SIZE descriptors, VIRTQ_SIZE / 3 requests can be in flight at once
// and further callers sleep until descriptors come free.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "buf.h"
#include "virtio.h"
#include "defs.h"
#include "crash.h"

#define DESCS_PER_REQ 3

// The driver's state. lock protects the submitters' side: isfree, the
// parts of the rings the driver writes (desc, avail), seen and nseen, and
// a request's hdr, status and owner while it is set up.
//
// The interrupt handler takes no lock, so that it never waits for a
// submitter (nor a submitter for it): it alone reads used and used_seen,
// and it runs on one hart at a time, since the PLIC offers the disk's
// interrupt to no other hart until trap.c completes it. It reads a
// finished request's hdr, status and owner, which the submitter wrote
// before it published the request and does not touch again until the
// handler has cleared the buffer's disk flag; and it clears owner.
//
// A buffer's disk flag is set by virtio_disk_rw holding lock, cleared by
// the handler (clear_and_wakeup, proc.c), and slept on in between
// (sleep_while_set): always with atomic accesses.
//
// The rings and status bytes are shared with the device, hence volatile.
static struct {
  struct spinlock lock;

  volatile struct virtq_desc *desc;     // VIRTQ_SIZE descriptors
  volatile struct virtq_avail *avail;   // written by us, read by the device
  volatile struct virtq_used *used;     // written by the device, read by us
  uchar isfree[VIRTQ_SIZE];             // descriptor i is not in a request
  uint16 used_seen;                     // completions before this used->idx are handled

  // Per request, indexed by its first descriptor.
  struct virtio_blk_req hdr[VIRTQ_SIZE];
  volatile uchar status[VIRTQ_SIZE];    // written by the device on completion
  struct buf *owner[VIRTQ_SIZE];        // the buf being read or written

  // Every distinct buf ever passed to virtio_disk_rw: a cache that made
  // more than NBUF of them would be caught here.
  struct buf *seen[NBUF];
  int nseen;
} disk;

static inline volatile uint32 *
reg(int offset)
{
  return (volatile uint32 *)(VIRTIO0 + offset);
}

// Write a 64-bit physical address to a LOW/HIGH register pair.
static void
setaddr(int low, volatile void *p)
{
  uint64 pa = (uint64)p;
  *reg(low) = (uint32)pa;
  *reg(low + 4) = (uint32)(pa >> 32);
}

// A zeroed page for one of the rings. Boot cannot go on without it.
static void *
ringpage(void)
{
  void *p = kalloc();
  if(p == 0)
    panic("virtio_disk_init: out of memory");
  memset(p, 0, PGSIZE);
  return p;
}

// Accept the device's features except those this driver does not handle
// or does not want (a read-only disk, a different ring protocol); and
// declare itself a modern (VERSION_1) driver.
static void
negotiate_features(void)
{
  uint32 refuse = (1U << VIRTIO_BLK_F_RO) | (1U << VIRTIO_BLK_F_SCSI) |
                  (1U << VIRTIO_BLK_F_CONFIG_WCE) | (1U << VIRTIO_BLK_F_MQ) |
                  (1U << VIRTIO_F_ANY_LAYOUT) | (1U << VIRTIO_F_EVENT_IDX) |
                  (1U << VIRTIO_F_INDIRECT_DESC);
  uint32 lo, hi;

  *reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 0;
  lo = *reg(VIRTIO_MMIO_DEVICE_FEATURES) & ~refuse;
  *reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1;
  hi = *reg(VIRTIO_MMIO_DEVICE_FEATURES) & (1U << (VIRTIO_F_VERSION_1 - 32));

  *reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
  *reg(VIRTIO_MMIO_DRIVER_FEATURES) = lo;
  *reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
  *reg(VIRTIO_MMIO_DRIVER_FEATURES) = hi;
}

// Give queue 0 its rings.
static void
setup_queue(void)
{
  *reg(VIRTIO_MMIO_QUEUE_SEL) = 0;
  if(*reg(VIRTIO_MMIO_QUEUE_READY) != 0)
    panic("virtio_disk_init: queue already in use");
  if(*reg(VIRTIO_MMIO_QUEUE_NUM_MAX) < VIRTQ_SIZE)
    panic("virtio_disk_init: queue too short");

  disk.desc = ringpage();
  disk.avail = ringpage();
  disk.used = ringpage();

  *reg(VIRTIO_MMIO_QUEUE_NUM) = VIRTQ_SIZE;
  setaddr(VIRTIO_MMIO_QUEUE_DESC_LOW, disk.desc);
  setaddr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, disk.avail);
  setaddr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, disk.used);
  *reg(VIRTIO_MMIO_QUEUE_READY) = 1;

  for(int i = 0; i < VIRTQ_SIZE; i++)
    disk.isfree[i] = 1;
}

// The initialisation sequence of the virtio specification (3.1.1).
void
virtio_disk_init(void)
{
  uint32 status = 0;

  initlock(&disk.lock, "virtio_disk");

  if(*reg(VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC ||
     *reg(VIRTIO_MMIO_VERSION) != 2 ||
     *reg(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_DEVICE_BLK ||
     *reg(VIRTIO_MMIO_VENDOR_ID) != VIRTIO_VENDOR_QEMU)
    panic("virtio_disk_init: no virtio disk");

  *reg(VIRTIO_MMIO_STATUS) = status;    // reset
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  *reg(VIRTIO_MMIO_STATUS) = status;
  status |= VIRTIO_STATUS_DRIVER;
  *reg(VIRTIO_MMIO_STATUS) = status;

  negotiate_features();
  status |= VIRTIO_STATUS_FEATURES_OK;
  *reg(VIRTIO_MMIO_STATUS) = status;
  // The device clears FEATURES_OK if it cannot work with our choice.
  if((*reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
    panic("virtio_disk_init: features not accepted");

  setup_queue();

  status |= VIRTIO_STATUS_DRIVER_OK;
  *reg(VIRTIO_MMIO_STATUS) = status;
}

// Take n free descriptors into d[], or none (returning -1) if fewer are free.
static int
take_descs(int *d, int n)
{
  int got = 0;

  for(int i = 0; i < VIRTQ_SIZE && got < n; i++)
    if(disk.isfree[i])
      d[got++] = i;
  if(got < n)
    return -1;
  for(int i = 0; i < n; i++)
    disk.isfree[d[i]] = 0;
  return 0;
}

// Free the chain of descriptors that starts at head.
static void
free_chain(int head)
{
  int i = head;

  for(;;){
    int flags = disk.desc[i].flags;
    int next = disk.desc[i].next;
    disk.desc[i].addr = 0;
    disk.desc[i].len = 0;
    disk.desc[i].flags = 0;
    disk.desc[i].next = 0;
    disk.isfree[i] = 1;
    if((flags & VIRTQ_DESC_F_NEXT) == 0)
      break;
    i = next;
  }
  wakeup(&disk.isfree);
}

static void
setdesc(int i, volatile void *addr, uint32 len, uint16 flags, uint16 next)
{
  disk.desc[i].addr = (uint64)addr;
  disk.desc[i].len = len;
  disk.desc[i].flags = flags;
  disk.desc[i].next = next;
}

static void
note_buffer(struct buf *b)
{
  for(int i = 0; i < disk.nseen; i++)
    if(disk.seen[i] == b)
      return;
  if(disk.nseen == NBUF)
    panic("virtio_disk_rw: more than NBUF buffers");
  disk.seen[disk.nseen++] = b;
}

// Read b's block into b->data, or write b->data to it if write is set.
// The caller holds b->lock. Returns once the device has finished.
void
virtio_disk_rw(struct buf *b, int write)
{
  int d[DESCS_PER_REQ];

  acquire(&disk.lock);
  note_buffer(b);

  while(take_descs(d, DESCS_PER_REQ) < 0)
    sleep(&disk.isfree, &disk.lock);

  struct virtio_blk_req *hdr = &disk.hdr[d[0]];
  hdr->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  hdr->reserved = 0;
  hdr->sector = (uint64)b->blockno * (BSIZE / 512);
  // Any value but VIRTIO_BLK_S_OK, so a status the device never wrote
  // cannot pass for success.
  disk.status[d[0]] = 0xff;

  setdesc(d[0], hdr, sizeof(*hdr), VIRTQ_DESC_F_NEXT, d[1]);
  setdesc(d[1], b->data, write ? crash_write_bytes() : BSIZE,
          VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE), d[2]);
  setdesc(d[2], &disk.status[d[0]], 1, VIRTQ_DESC_F_WRITE, 0);

  disk.owner[d[0]] = b;
  __atomic_store_n(&b->disk, 1, __ATOMIC_RELAXED);

  disk.avail->ring[disk.avail->idx % VIRTQ_SIZE] = d[0];
  // The device may act as soon as it sees the new idx: the descriptors and
  // the ring entry must be in memory before it, and it before the notify.
  __sync_synchronize();
  disk.avail->idx = disk.avail->idx + 1;
  __sync_synchronize();

  // A device register access can take QEMU a long while (it may have to
  // wait for its own I/O thread), so do it without the lock that other
  // harts spin on. The notification is only a hint to look at the ring.
  release(&disk.lock);
  *reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;

  // Wait without disk.lock, which the interrupt handler does not take.
  sleep_while_set(b, &b->disk);

  acquire(&disk.lock);
  free_chain(d[0]);
  release(&disk.lock);
}

void
virtio_disk_intr(void)
{
  // Acknowledge before looking at the ring: a request that completes while
  // we walk it raises a new interrupt instead of being missed. The registers
  // need no lock, and, as in virtio_disk_rw, are better touched without one.
  *reg(VIRTIO_MMIO_INTERRUPT_ACK) = *reg(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTR_MASK;
  __sync_synchronize();

  while(disk.used_seen != disk.used->idx){
    // Read the entry and the status byte only after the idx that covers them.
    __sync_synchronize();
    uint32 id = disk.used->ring[disk.used_seen % VIRTQ_SIZE].id;
    if(id >= VIRTQ_SIZE || disk.owner[id] == 0)
      panic("virtio_disk_intr: completion of no request");
    if(disk.status[id] != VIRTIO_BLK_S_OK)
      panic("virtio_disk_intr: disk error");
    struct buf *b = disk.owner[id];
    if(disk.hdr[id].type == VIRTIO_BLK_T_OUT)
      crash_wrote(b);
    disk.owner[id] = 0;
    disk.used_seen++;
    // The last use of the request: its submitter may free it as soon as
    // it sees the flag clear.
    clear_and_wakeup(b, &b->disk);
  }
}
