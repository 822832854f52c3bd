// The user library's string, memory and file helpers, and the entry point
// of every user program.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

// The ELF entry point (user.ld). exec starts a program here with argc in a0
// and argv in a1; calling main through it lets main simply return.
void
_main(int argc, char *argv[])
{
  extern int main(int, char **);

  exit(main(argc, argv));
}

char *
strcpy(char *dst, const char *src)
{
  char *d = dst;

  while((*d++ = *src++) != 0)
    ;
  return dst;
}

int
strcmp(const char *a, const char *b)
{
  while(*a && *a == *b){
    a++;
    b++;
  }
  return (uchar)*a - (uchar)*b;
}

uint
strlen(const char *s)
{
  uint n = 0;

  while(s[n])
    n++;
  return n;
}

// Unlike C's strchr, the terminating 0 is never found: callers use
// strchr(set, c) to test whether c belongs to set, even when c is 0.
char *
strchr(const char *s, char c)
{
  for(; *s; s++)
    if(*s == c)
      return (char *)s;
  return 0;
}

void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;

  while(n-- > 0)
    *d++ = c;
  return dst;
}

// Copies correctly when the areas overlap, in either direction.
void *
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;

  if(n <= 0 || d == s)
    return dst;
  if(d < s){
    while(n-- > 0)
      *d++ = *s++;
  } else {
    d += n;
    s += n;
    while(n-- > 0)
      *--d = *--s;
  }
  return dst;
}

// The compiler may emit calls to memcpy for structure copies, so it exists
// even though memmove would do.
void *
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  for(; n > 0; n--, p++, q++)
    if(*p != *q)
      return *p - *q;
  return 0;
}

// Leading spaces and one sign are accepted; parsing stops at the first
// character that is not a digit.
int
atoi(const char *s)
{
  int neg = 0, n = 0;

  while(*s == ' ' || *s == '\t')
    s++;
  if(*s == '-' || *s == '+')
    neg = *s++ == '-';
  while(*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return neg ? -n : n;
}

// Read a line from standard input into buf, newline (or carriage return)
// included, at most max-1 characters; buf is always 0-terminated. At end of
// input buf holds what was read, possibly nothing.
char *
gets(char *buf, int max)
{
  int n = 0;
  char c;

  while(n + 1 < max && read(0, &c, 1) == 1){
    buf[n++] = c;
    if(c == '\n' || c == '\r')
      break;
  }
  buf[n] = 0;
  return buf;
}

int
stat(const char *path, struct stat *st)
{
  int fd = open(path, O_RDONLY);

  if(fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

// Read the statistics device (docs/ABI.md) into buf: up to n bytes, stopping
// early at the end of the report. Returns the bytes read, or -1.
int
statistics(void *buf, int n)
{
  int fd = open("/statistics", O_RDONLY);
  int got = 0, r = 0;

  if(fd < 0)
    return -1;
  while(got < n && (r = read(fd, (char *)buf + got, n - got)) > 0)
    got += r;
  close(fd);
  return r < 0 ? -1 : got;
}
