// A buffer of the block cache (bio.c) holding one disk block.
//
// Which lock protects which field is written next to the cache's data
// structure in bio.c (and bio_global.c); in short: dev, blockno, refcnt,
// lastuse and the links belong to the cache's locks; valid and data to the
// buffer's sleep lock, held by whoever bread() it; and disk to the disk
// driver (virtio_disk.c), whose interrupt handler, which holds no lock,
// clears it: it is only accessed atomically.
struct buf {
  int valid;             // data holds the block's contents
  int disk;              // an I/O on data is in flight (see virtio_disk.c)
  uint dev;
  uint blockno;
  struct sleeplock lock;
  uint refcnt;           // references (bget users and log pins)
  uint64 lastuse;        // when refcnt last fell to 0: replacement picks the oldest
  struct buf *prev;      // links in the cache's list or hash bucket
  struct buf *next;
  uchar data[BSIZE];
};
