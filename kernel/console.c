// The console device (major CONSOLE): terminal line editing on top of the
// UART. Input is collected a line at a time; reads see it only once the
// line is finished by a newline or ^D.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "proc.h"
#include "defs.h"

#define CTRL(x) ((x) - '@')

// Not a character: consputc() erases the last one shown.
#define BACKSPACE 0x100

// Echo and kernel output, written synchronously.
void
consputc(int c)
{
  if(c == BACKSPACE){
    // Back up, blank it out, back up again.
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

// Typed input. cons.lock protects every field. The indices only grow and
// are taken modulo INPUT_BUF_SIZE:
//   buf[r..w)  finished lines that readers may take;
//   buf[w..e)  the line still being edited.
#define INPUT_BUF_SIZE 128
static struct {
  struct spinlock lock;
  char buf[INPUT_BUF_SIZE];
  uint r;   // read: next byte a reader takes
  uint w;   // write: end of the finished input
  uint e;   // edit: end of the current line
} cons;

// Copy up to n bytes of finished input to dst, ending after a newline.
// Sleeps until there is some; returns -1 if the process is killed while
// waiting, or if not a single byte could be copied out.
static int
consoleread(struct file *f, int user, uint64 dst, int n)
{
  int got = 0, fault = 0;
  char c;

  if(n < 0)
    return -1;

  acquire(&cons.lock);
  while(got < n){
    while(cons.r == cons.w){
      if(killed(myproc())){
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.r, &cons.lock);
    }

    c = cons.buf[cons.r % INPUT_BUF_SIZE];
    if(c == CTRL('D')){
      // End of input. If this read already has bytes, leave the ^D for
      // the next read, which then returns 0.
      if(got == 0)
        cons.r++;
      break;
    }
    if(either_copyout(user, dst + got, &c, 1) < 0){
      fault = 1;   // the byte stays in the buffer
      break;
    }
    cons.r++;
    got++;
    if(c == '\n')
      break;
  }
  release(&cons.lock);

  return (fault && got == 0) ? -1 : got;
}

// Writers take turns, a whole write() each, so that lines printed by
// processes at the same time come out whole. A sleep lock: a long write
// makes the others sleep, not spin.
static struct sleeplock writelock;

// Send n bytes from src to the UART. Returns the bytes sent, or -1 if
// src could not be read at all.
static int
consolewrite(struct file *f, int user, uint64 src, int n)
{
  char chunk[64];
  int done = 0;

  if(n < 0)
    return -1;
  acquiresleep(&writelock);
  while(done < n){
    int m = n - done;
    if(m > (int)sizeof(chunk))
      m = sizeof(chunk);
    if(either_copyin(chunk, user, src + done, m) < 0)
      break;
    uartwrite(chunk, m);
    done += m;
  }
  releasesleep(&writelock);
  return (done == 0 && n > 0) ? -1 : done;
}

// Called by uartintr() for each byte typed: edit the current line, echo,
// and wake readers when a line is finished. The echo is written after
// cons.lock is released, so that readers never wait for the UART.
// (Only one CPU at a time handles the UART's interrupt, so echoes stay in
// the order the bytes came.)
void
consoleintr(int c)
{
  int dump = 0;
  int erase = 0;     // characters to erase on the screen
  int echo = -1;     // character to show, if any

  acquire(&cons.lock);
  switch(c){
  case CTRL('P'):
    dump = 1;
    break;
  case CTRL('U'):
    while(cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF_SIZE] != '\n'){
      cons.e--;
      erase++;
    }
    break;
  case '\b':
  case 0x7f:
    if(cons.e != cons.w){
      cons.e--;
      erase++;
    }
    break;
  default:
    if(c == 0 || cons.e - cons.r >= INPUT_BUF_SIZE)
      break;   // no room: drop it
    if(c == '\r')
      c = '\n';
    if(c != CTRL('D'))
      echo = c;
    cons.buf[cons.e++ % INPUT_BUF_SIZE] = c;
    if(c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF_SIZE){
      // Hand the line to readers.
      cons.w = cons.e;
      wakeup(&cons.r);
    }
    break;
  }
  release(&cons.lock);

  for(; erase > 0; erase--)
    consputc(BACKSPACE);
  if(echo >= 0)
    consputc(echo);
  if(dump)
    procdump();
}

void
consoleinit(void)
{
  initlock(&cons.lock, "cons");
  initsleeplock(&writelock, "console");
  uartinit();
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
