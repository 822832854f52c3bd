// Formatted output for the kernel: to the console (printf) or into a
// buffer (snprintf); and panic().

#include <stdarg.h>

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockhook.h"
#include "defs.h"

// Keeps lines from different CPUs from interleaving. Ignored while a CPU
// is panicking: the panic may have struck while printlock was held.
static struct spinlock printlock;

// panicking: some CPU has entered panic() and is writing its message.
// panicked: the message is out; from now on all console output stops
// (uart.c spins), so the message stays the last thing on the screen.
// Each is written once, from 0 to 1, so they need no lock.
static volatile int panicking;
volatile int panicked;

static const char digits[] = "0123456789abcdef";

// Where formatted output goes: the console (buf 0), or buf, which holds
// size bytes and gets as much as fits, NUL-terminated. len counts every
// character produced, stored or not.
struct out {
  char *buf;
  int size;
  int len;
};

static void
outc(struct out *o, char c)
{
  if(o->buf == 0)
    consputc(c);
  else if(o->len < o->size - 1)
    o->buf[o->len] = c;
  o->len++;
}

// Print x in the given base; a signed conversion passes sgn != 0.
static void
printnum(struct out *o, uint64 x, int base, int sgn)
{
  char buf[24];   // 2^64 has 20 decimal digits, plus the sign
  int i = 0;

  if(sgn && (long long)x < 0)
    x = -x;   // unsigned negation: well defined even for the most negative value
  else
    sgn = 0;
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while(x != 0);
  if(sgn)
    buf[i++] = '-';
  while(i > 0)
    outc(o, buf[--i]);
}

static void
printstr(struct out *o, const char *s)
{
  if(s == 0)
    s = "(null)";
  for(; *s; s++)
    outc(o, *s);
}

// Handle one conversion; fmt points just after its '%'. Sets *endp just
// past the conversion.
static void
convert(struct out *o, const char *fmt, const char **endp, va_list *ap)
{
  const char *spec = fmt;
  int longs = 0;   // number of 'l' modifiers: 0 int, 1 long, 2 long long

  while(*fmt == 'l' && longs < 2){
    longs++;
    fmt++;
  }
  *endp = fmt + (*fmt != 0);

  switch(*fmt){
  case 'd':
    printnum(o, longs ? va_arg(*ap, long long) : va_arg(*ap, int), 10, 1);
    break;
  case 'u':
    printnum(o, longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 10, 0);
    break;
  case 'x':
    printnum(o, longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 16, 0);
    break;
  case 'p': {
    uint64 p = (uint64)va_arg(*ap, void *);
    outc(o, '0');
    outc(o, 'x');
    for(int shift = 60; shift >= 0; shift -= 4)
      outc(o, digits[(p >> shift) & 0xf]);
    break;
  }
  case 's':
    printstr(o, va_arg(*ap, char *));
    break;
  case 'c':
    outc(o, va_arg(*ap, int));
    break;
  case '%':
    outc(o, '%');
    break;
  default:
    // Unknown (or cut off by the end of fmt): show it as written.
    outc(o, '%');
    for(; spec < *endp; spec++)
      outc(o, *spec);
    break;
  }
}

static void
format(struct out *o, const char *fmt, va_list *ap)
{
  while(*fmt){
    if(*fmt != '%')
      outc(o, *fmt++);
    else
      convert(o, fmt + 1, &fmt, ap);
  }
}

// Supports %d %u %x %p %s %c %% with the l and ll length modifiers.
// Returns the number of characters printed.
int
printf(char *fmt, ...)
{
  va_list ap;
  struct out o = { 0, 0, 0 };
  int locked = !panicking;

  if(locked)
    acquire(&printlock);
  va_start(ap, fmt);
  format(&o, fmt, &ap);
  va_end(ap);
  if(locked)
    release(&printlock);
  return o.len;
}

// Like printf, into buf, which holds size bytes: as much as fits, always
// NUL-terminated (if size > 0). Returns the length the whole text has.
int
snprintf(char *buf, int size, char *fmt, ...)
{
  va_list ap;
  struct out o = { buf, size, 0 };

  va_start(ap, fmt);
  format(&o, fmt, &ap);
  va_end(ap);
  if(size > 0)
    buf[o.len < size ? o.len : size - 1] = 0;
  return o.len;
}

// The UART's drainer (uart.c) holds printlock while it writes a batch of
// queued output to the UART, so that no other output cuts into a kernel
// message.
void
printlock_acquire(void)
{
  acquire(&printlock);
}

void
printlock_release(void)
{
  release(&printlock);
}

// Say which locks this CPU holds, and where it took them.
static void
printheld(void)
{
  int n;
  struct heldlock *h = lockhook_held(cpuid(), &n);
  char where[64];

  for(int i = 0; i < n; i++){
    ksymformat(h[i].pc, where, sizeof(where));
    printf("  holding lock %s, taken at %s\n", h[i].lock->name, where);
  }
}

void
panic(char *s)
{
  intr_off();   // nothing else should run on this CPU
  panicking = 1;
  printf("panic: %s\n", s);
  printbacktrace();
  printheld();
  __sync_synchronize();
  panicked = 1;
  for(;;)
    ;
}

void
printfinit(void)
{
  initlock(&printlock, "pr");
}
