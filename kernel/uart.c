// Driver for the 16550 UART that QEMU's virt machine puts at UART0: the
// console's serial line.
//
// Output goes two ways. uartwrite() queues bytes in a ring buffer, sleeping
// while the ring is full; console writes from processes use it.
// uartputc_sync() waits on the hardware with interrupts off; printf and the
// console's echo use it, since they may run in interrupt handlers or with
// locks held where sleeping is impossible.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

// The 16550's registers, as byte offsets from UART0.
#define RHR 0   // receive holding (read)
#define THR 0   // transmit holding (write)
#define DLL 0   // divisor latch, low byte (while LCR_DLAB)
#define IER 1   // interrupt enable
#define DLM 1   // divisor latch, high byte (while LCR_DLAB)
#define FCR 2   // FIFO control (write)
#define LCR 3   // line control
#define LSR 5   // line status

#define IER_RX_ENABLE  (1 << 0)
#define IER_TX_ENABLE  (1 << 1)
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR  (3 << 1)   // empty both FIFOs
#define LCR_8N1   3                // 8 data bits, no parity, 1 stop bit
#define LCR_DLAB  (1 << 7)         // registers 0 and 1 are the baud divisor
#define LSR_RX_READY (1 << 0)      // a received byte is waiting in RHR
#define LSR_TX_IDLE  (1 << 5)      // THR can take another byte

// The divisor of the 1.8432 MHz clock for 38400 baud. QEMU ignores it,
// but real 16550s need some rate.
#define BAUD_DIVISOR 3

static inline volatile uchar *
reg(int r)
{
  return (volatile uchar *)(UART0 + r);
}

static inline uchar
readreg(int r)
{
  return *reg(r);
}

static inline void
writereg(int r, uchar v)
{
  *reg(r) = v;
}

// Bytes queued by uartwrite() for the transmitter, in a ring. tx.lock
// protects every field: head counts bytes ever queued and tail bytes ever
// handed to the UART, so the ring holds buf[tail..head) (modulo its size).
// Writers that find it full sleep on &tx.tail.
//
// One CPU at a time, the drainer (draining is set), moves bytes from the
// ring to the UART, and it does so without holding tx.lock: the UART is
// slow (under QEMU each byte is a write to the host), and other CPUs must
// be able to queue bytes meanwhile instead of spinning. The bytes it sends
// stay in the ring until it advances tail, so no writer overwrites them.
// Whenever the ring is not empty, a drainer is at work or the UART is busy
// and its transmit interrupt will start one (uartdrain).
#define TX_BUF_SIZE 512
static struct {
  struct spinlock lock;
  char buf[TX_BUF_SIZE];
  uint64 head;
  uint64 tail;
  int draining;
} tx;

static void uartdrain(void);

void
uartinit(void)
{
  writereg(IER, 0);   // quiet while we set it up

  writereg(LCR, LCR_DLAB);
  writereg(DLL, BAUD_DIVISOR & 0xff);
  writereg(DLM, BAUD_DIVISOR >> 8);
  writereg(LCR, LCR_8N1);   // also clears LCR_DLAB

  writereg(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  writereg(IER, IER_RX_ENABLE | IER_TX_ENABLE);

  initlock(&tx.lock, "uart");
}

// Queue the n bytes at src for output, sleeping while the ring is full,
// and see that they are sent. Process context only.
void
uartwrite(const char *src, int n)
{
  while(n > 0){
    acquire(&tx.lock);
    // After a panic only the panicking CPU's message may reach the line.
    while(panicked)
      ;
    while(tx.head - tx.tail == TX_BUF_SIZE)
      sleep(&tx.tail, &tx.lock);
    int m = 0;
    for(; m < n && tx.head - tx.tail < TX_BUF_SIZE; m++)
      tx.buf[tx.head++ % TX_BUF_SIZE] = src[m];
    release(&tx.lock);
    src += m;
    n -= m;
    uartdrain();
  }
}

// Move queued bytes to the UART until the ring is empty or the UART is
// busy, unless another CPU is doing it already.
static void
uartdrain(void)
{
  acquire(&tx.lock);
  if(tx.draining){
    release(&tx.lock);
    return;
  }
  tx.draining = 1;
  // Looking at the UART while holding the lock, and giving up draining in
  // the same critical section, means that a UART found busy here will
  // interrupt later and find draining clear.
  while(tx.tail != tx.head && (readreg(LSR) & LSR_TX_IDLE)){
    uint64 from = tx.tail, to = tx.head;
    release(&tx.lock);

    uint64 sent = from;
    while(sent != to && (readreg(LSR) & LSR_TX_IDLE)){
      writereg(THR, tx.buf[sent % TX_BUF_SIZE]);
      sent++;
    }

    acquire(&tx.lock);
    tx.tail = sent;
    wakeup(&tx.tail);   // room for uartwrite()
  }
  tx.draining = 0;
  release(&tx.lock);
}

// Write c straight to the hardware, busy-waiting for room. Safe anywhere:
// it neither sleeps nor takes a lock.
void
uartputc_sync(int c)
{
  push_off();   // keep the wait short: no interrupt handler in the middle
  while(panicked)
    ;
  while((readreg(LSR) & LSR_TX_IDLE) == 0)
    ;
  writereg(THR, c);
  pop_off();
}

// A received byte, or -1 if none is waiting.
int
uartgetc(void)
{
  if(readreg(LSR) & LSR_RX_READY)
    return readreg(RHR);
  return -1;
}

// The UART interrupted: input arrived, the transmitter wants more, or both.
void
uartintr(void)
{
  int c;

  while((c = uartgetc()) != -1)
    consoleintr(c);

  uartdrain();
}
