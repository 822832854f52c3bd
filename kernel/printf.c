// Formatted output to the console for the kernel, and panic().

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

// Print x in the given base; a signed conversion passes sgn != 0.
static int
printnum(uint64 x, int base, int sgn)
{
  char buf[24];   // 2^64 has 20 decimal digits, plus the sign
  int i = 0, n;

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
  n = i;
  while(i > 0)
    consputc(buf[--i]);
  return n;
}

static int
printstr(const char *s)
{
  int n = 0;

  if(s == 0)
    s = "(null)";
  for(; *s; s++, n++)
    consputc(*s);
  return n;
}

// Handle one conversion; fmt points just after its '%'. Returns the
// characters printed and sets *endp just past the conversion.
static int
convert(const char *fmt, const char **endp, va_list *ap)
{
  const char *spec = fmt;
  int longs = 0;   // number of 'l' modifiers: 0 int, 1 long, 2 long long
  int n;

  while(*fmt == 'l' && longs < 2){
    longs++;
    fmt++;
  }
  *endp = fmt + (*fmt != 0);

  switch(*fmt){
  case 'd':
    return printnum(longs ? va_arg(*ap, long long) : va_arg(*ap, int), 10, 1);
  case 'u':
    return printnum(longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 10, 0);
  case 'x':
    return printnum(longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 16, 0);
  case 'p': {
    uint64 p = (uint64)va_arg(*ap, void *);
    consputc('0');
    consputc('x');
    for(int shift = 60; shift >= 0; shift -= 4)
      consputc(digits[(p >> shift) & 0xf]);
    return 18;
  }
  case 's':
    return printstr(va_arg(*ap, char *));
  case 'c':
    consputc(va_arg(*ap, int));
    return 1;
  case '%':
    consputc('%');
    return 1;
  default:
    // Unknown (or cut off by the end of fmt): show it as written.
    consputc('%');
    for(n = 1; spec < *endp; spec++, n++)
      consputc(*spec);
    return n;
  }
}

// Supports %d %u %x %p %s %c %% with the l and ll length modifiers.
// Returns the number of characters printed.
int
printf(char *fmt, ...)
{
  va_list ap;
  int n = 0;
  int locked = !panicking;
  const char *s = fmt;

  if(locked)
    acquire(&printlock);

  va_start(ap, fmt);
  while(*s){
    if(*s != '%'){
      consputc(*s++);
      n++;
    } else {
      n += convert(s + 1, &s, &ap);
    }
  }
  va_end(ap);

  if(locked)
    release(&printlock);
  return n;
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
