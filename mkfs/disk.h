// For the host programs that read and write images (mkfs, fsck); include
// after kernel/types.h and kernel/fs.h.
//
// Every integer on the disk is little-endian. Converting explicitly keeps
// these programs right whatever the host's byte order.

// The address of field f of the dinode whose bytes start at ip.
#define DFIELD(ip, f) ((ip) + offsetof(struct dinode, f))

static inline void
put16(uchar *p, uint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static inline void
put32(uchar *p, uint32 v)
{
  for(int i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static inline uint16
get16(const uchar *p)
{
  return p[0] | (p[1] << 8);
}

static inline uint32
get32(const uchar *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32)p[3] << 24);
}
