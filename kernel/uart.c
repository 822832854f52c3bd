// Driver for the 16550 UART that QEMU's virt machine puts at UART0: the
// console's serial line.
//
// Output goes two ways. uartputc() queues a byte in a ring buffer that the
// transmit interrupt drains, sleeping while the ring is full; console writes
// from processes use it. uartputc_sync() waits on the hardware with
// interrupts off; printf and the console's echo use it, since they may run
// in interrupt handlers or with locks held where sleeping is impossible.

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

// Bytes queued by uartputc() for the transmitter. tx_lock protects tx_buf,
// tx_head and tx_tail. tx_head counts bytes ever queued and tx_tail bytes
// ever sent, so the ring holds tx_head - tx_tail bytes; writers that find
// it full sleep on &tx_tail.
#define TX_BUF_SIZE 32
static struct spinlock tx_lock;
static char tx_buf[TX_BUF_SIZE];
static uint64 tx_head;
static uint64 tx_tail;

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

  initlock(&tx_lock, "uart");
}

// Move queued bytes to the hardware for as long as it takes them.
// The transmit interrupt calls us again when it wants more.
// Caller holds tx_lock.
static void
uartstart(void)
{
  while(tx_tail != tx_head && (readreg(LSR) & LSR_TX_IDLE)){
    writereg(THR, tx_buf[tx_tail % TX_BUF_SIZE]);
    tx_tail++;
    wakeup(&tx_tail);   // room for uartputc()
  }
}

// Queue c for output, sleeping while the ring is full. Process context only.
void
uartputc(int c)
{
  acquire(&tx_lock);
  // After a panic only the panicking CPU's message may reach the line.
  while(panicked)
    ;
  while(tx_head - tx_tail == TX_BUF_SIZE)
    sleep(&tx_tail, &tx_lock);
  tx_buf[tx_head % TX_BUF_SIZE] = c;
  tx_head++;
  uartstart();
  release(&tx_lock);
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

  acquire(&tx_lock);
  uartstart();
  release(&tx_lock);
}
