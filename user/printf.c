// Formatted output: fprintf and printf with %d %u %x %p %s %c %% and the
// l and ll length modifiers.
//
// Output is collected in a buffer and written in as few write() calls as
// possible: one per call unless it is long. Whole lines then reach pipes and
// the console in one piece, even when several processes print at once.
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"

struct out {
  int fd;
  int len;
  char buf[256];
};

static void
flush(struct out *o)
{
  if(o->len > 0)
    write(o->fd, o->buf, o->len);
  o->len = 0;
}

static void
outc(struct out *o, char c)
{
  if(o->len == sizeof(o->buf))
    flush(o);
  o->buf[o->len++] = c;
}

static void
outs(struct out *o, const char *s)
{
  while(*s)
    outc(o, *s++);
}

// Print x in the given base (10 or 16); neg says x is the magnitude of a
// negative number. ndigits > 0 pads with zeros to that many digits.
static void
putnum(struct out *o, uint64 x, int base, int neg, int ndigits)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int n = 0;

  do {
    tmp[n++] = digits[x % base];
    x /= base;
  } while(x != 0);
  while(n < ndigits)
    tmp[n++] = '0';
  if(neg)
    outc(o, '-');
  while(n > 0)
    outc(o, tmp[--n]);
}

// Fetch the next integer argument of the given size (0 int, 1 long, 2 long
// long), sign-extended when is_signed, otherwise zero-extended.
static uint64
intarg(va_list *ap, int size, int is_signed)
{
  if(size > 0)
    return size == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
  if(is_signed)
    return (uint64)(long)va_arg(*ap, int);
  return va_arg(*ap, uint);
}

static void
vformat(int fd, const char *fmt, va_list *ap)
{
  struct out o = { .fd = fd, .len = 0 };

  for(; *fmt; fmt++){
    if(*fmt != '%'){
      outc(&o, *fmt);
      continue;
    }
    int size = 0;
    while(fmt[1] == 'l' && size < 2){
      size++;
      fmt++;
    }
    fmt++;
    switch(*fmt){
    case 'd': {
      long long v = intarg(ap, size, 1);
      putnum(&o, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0, 0);
      break;
    }
    case 'u':
      putnum(&o, intarg(ap, size, 0), 10, 0, 0);
      break;
    case 'x':
      putnum(&o, intarg(ap, size, 0), 16, 0, 0);
      break;
    case 'p':
      outs(&o, "0x");
      putnum(&o, (uint64)va_arg(*ap, void *), 16, 0, 16);
      break;
    case 's': {
      const char *s = va_arg(*ap, const char *);
      outs(&o, s ? s : "(null)");
      break;
    }
    case 'c':
      outc(&o, va_arg(*ap, int));
      break;
    case '%':
      outc(&o, '%');
      break;
    case 0:
      // A lone '%' at the end: print it rather than run past the string.
      outc(&o, '%');
      fmt--;
      break;
    default:
      // Unknown conversion: show it as written, so the mistake is visible.
      outc(&o, '%');
      outc(&o, *fmt);
      break;
    }
  }
  flush(&o);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vformat(fd, fmt, &ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vformat(1, fmt, &ap);
  va_end(ap);
}
