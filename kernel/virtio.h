// The parts of the virtio 1.x specification that the block driver
// (virtio_disk.c) uses: the virtio-mmio register file of a version 2
// ("modern") device, the split virtqueue in memory, and the request format
// of a block device.

// virtio-mmio registers: byte offsets from the device's base address.
// Each register is 32 bits wide.
#define VIRTIO_MMIO_MAGIC              0x000  // reads 0x74726976, "virt"
#define VIRTIO_MMIO_VERSION            0x004  // 2 for a modern device
#define VIRTIO_MMIO_DEVICE_ID          0x008  // 2 for a block device
#define VIRTIO_MMIO_VENDOR_ID          0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010  // 32 feature bits, chosen by ...
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014 // ... this word index
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020  // likewise, what the driver takes
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030  // queue the QUEUE_* registers mean
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034  // largest ring the device supports
#define VIRTIO_MMIO_QUEUE_NUM          0x038  // ring size the driver uses
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050  // write a queue number: "look at it"
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080  // physical address of the descriptors
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090  // ... of the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0  // ... of the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4

#define VIRTIO_MAGIC       0x74726976
#define VIRTIO_VENDOR_QEMU 0x554d4551          // "QEMU"
#define VIRTIO_DEVICE_BLK  2

// Bits of the STATUS register, set by the driver one step at a time.
#define VIRTIO_STATUS_ACKNOWLEDGE  1   // the driver has noticed the device
#define VIRTIO_STATUS_DRIVER       2   // and knows how to drive it
#define VIRTIO_STATUS_DRIVER_OK    4   // and is ready
#define VIRTIO_STATUS_FEATURES_OK  8   // feature negotiation is over

// Feature bit numbers (0..63; bits 32 and up are in word 1).
#define VIRTIO_BLK_F_RO            5   // the disk is read-only
#define VIRTIO_BLK_F_SCSI          7   // SCSI pass-through requests
#define VIRTIO_BLK_F_CONFIG_WCE   11   // switchable write-back cache
#define VIRTIO_BLK_F_MQ           12   // several request queues
#define VIRTIO_F_ANY_LAYOUT       27
#define VIRTIO_F_INDIRECT_DESC    28   // descriptors pointing at descriptor tables
#define VIRTIO_F_EVENT_IDX        29   // interrupt suppression by ring index
#define VIRTIO_F_VERSION_1        32   // a modern device: this driver's layout

// Bit 0 of INTERRUPT_STATUS: the used ring changed; bit 1: the configuration did.
#define VIRTIO_INTR_MASK           3

// A descriptor: one buffer in physical memory. A request is a chain of
// descriptors linked through next.
struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};
#define VIRTQ_DESC_F_NEXT   1   // next is valid
#define VIRTQ_DESC_F_WRITE  2   // the device writes this buffer (else reads it)

// Number of descriptors in the driver's ring; a power of two.
#define VIRTQ_SIZE 8

// The available ring: the driver puts the first descriptor of each new
// request in ring[idx % VIRTQ_SIZE], then increments idx.
struct virtq_avail {
  uint16 flags;
  uint16 idx;
  uint16 ring[VIRTQ_SIZE];
  uint16 used_event;          // unused: VIRTIO_F_EVENT_IDX is not negotiated
};

// The used ring: the device reports each finished request, by its first
// descriptor, in ring[idx % VIRTQ_SIZE], then increments idx.
struct virtq_used_elem {
  uint32 id;                  // first descriptor of the finished request
  uint32 len;                 // bytes the device wrote
};
struct virtq_used {
  uint16 flags;
  uint16 idx;
  struct virtq_used_elem ring[VIRTQ_SIZE];
  uint16 avail_event;         // unused, as used_event
};

// The header that starts every block request; a data buffer and a status
// byte written by the device follow it.
#define VIRTIO_BLK_T_IN   0   // read from the disk
#define VIRTIO_BLK_T_OUT  1   // write to the disk
struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;              // in 512-byte units
};
#define VIRTIO_BLK_S_OK   0   // the status byte of a successful request
