// The few C library string and memory routines the kernel uses.
// gcc may also emit calls to memset, memcpy and memmove on its own.
//
// The race detector (make KCSAN=1) checks each call's whole ranges at once,
// through kcsan_check_read/write, instead of instrumenting every access.

#include "types.h"
#include "riscv.h"
#include "kcsan.h"
#include "defs.h"

// Whole pages are filled and copied often (kalloc's junk, zeroed user
// memory, fork), so when both addresses are 8-byte aligned these move a
// 64-bit word per step instead of a byte.
#define WORD sizeof(uint64)

static int
aligned(const void *a, const void *b)
{
  return (((uint64)a | (uint64)b) & (WORD - 1)) == 0;
}

void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst;

  kcsan_check_write(dst, n);
  if(aligned(d, d)){
    uint64 w = (uchar)c * 0x0101010101010101ull;   // c in every byte
    for(; n >= WORD; n -= WORD, d += WORD)
      *(uint64 *)d = w;
  }
  while(n-- > 0)
    *d++ = c;
  return dst;
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  kcsan_check_read(a, n);
  kcsan_check_read(b, n);
  for(; n > 0; n--, p++, q++){
    if(*p != *q)
      return *p - *q;
  }
  return 0;
}

// Correct however the two ranges overlap: when dst is above src, copy from
// the end so that no source byte is overwritten before it is read. Two
// distinct aligned addresses are at least a word apart, so copying whole
// words in the same direction is just as safe.
void*
memmove(void *dst, const void *src, uint n)
{
  uchar *d = dst;
  const uchar *s = src;
  int words = aligned(d, s);

  kcsan_check_read(src, n);
  kcsan_check_write(dst, n);
  if(d > s && d < s + n){
    // Trailing odd bytes first, so that what is left ends on a word boundary.
    for(; n > 0 && (!words || n % WORD != 0); n--)
      d[n - 1] = s[n - 1];
    for(; n > 0; n -= WORD)
      *(uint64 *)(d + n - WORD) = *(const uint64 *)(s + n - WORD);
  } else {
    if(words){
      for(; n >= WORD; n -= WORD, d += WORD, s += WORD)
        *(uint64 *)d = *(const uint64 *)s;
    }
    while(n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
strlen(const char *s)
{
  int n = 0;

  while(s[n])
    n++;
  kcsan_check_read(s, n + 1);
  return n;
}

// The string routines check the bytes they read once they know how many.
int
strncmp(const char *a, const char *b, uint n)
{
  uint i = 0;

  while(i < n && a[i] == b[i] && a[i] != 0)
    i++;
  kcsan_check_read(a, i < n ? i + 1 : n);
  kcsan_check_read(b, i < n ? i + 1 : n);
  return i < n ? (uchar)a[i] - (uchar)b[i] : 0;
}

// Like the C library's: copies at most n bytes and pads with NULs, but
// leaves dst unterminated if src has n bytes or more.
char*
strncpy(char *dst, const char *src, int n)
{
  int i = 0;

  for(; i < n && src[i]; i++)
    dst[i] = src[i];
  kcsan_check_read(src, i < n ? i + 1 : i);
  kcsan_check_write(dst, n > 0 ? n : 0);
  for(; i < n; i++)
    dst[i] = 0;
  return dst;
}

// Copy at most n-1 bytes and always NUL-terminate (if n > 0).
char*
safestrcpy(char *dst, const char *src, int n)
{
  int i;

  if(n <= 0)
    return dst;
  for(i = 0; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  kcsan_check_read(src, i < n - 1 ? i + 1 : i);
  kcsan_check_write(dst, i + 1);
  dst[i] = 0;
  return dst;
}
