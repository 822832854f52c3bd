// Reading the lock profiler's report (/lockprof) into structures; see
// lockreport.h, and kernel/lockprofdev.c for the format.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/lockprof.h"
#include "user/user.h"
#include "user/lockreport.h"

static char *readall(int fd, int *len);
static int parseheader(char *line, struct lockreport *r);
static int parseclass(char *line, struct lockclass *c);
static int parsesite(char *line, struct lockclass *c);

int
readlockreport(struct lockreport *r)
{
  int fd = open("/lockprof", O_RDONLY);
  int len;
  char *text, *why;

  if(fd < 0){
    fprintf(2, "lockstat: cannot open /lockprof\n");
    return -1;
  }
  text = readall(fd, &len);
  close(fd);
  if(text == 0){
    fprintf(2, "lockstat: cannot read /lockprof\n");
    return -1;
  }
  int ok = parselockreport(text, len, r, &why);
  free(text);
  if(ok < 0){
    fprintf(2, "lockstat: bad report: %s\n", why);
    return -1;
  }
  return 0;
}

int
parselockreport(char *text, int n, struct lockreport *r, char **why)
{
  int maxclass = 0, seentotal = 0;
  uint64 sum = 0;

  memset(r, 0, sizeof(*r));
  text[n] = 0;
  for(char *line = text; *line; ){
    char *nl = strchr(line, '\n');
    if(nl == 0){
      *why = "the last line has no newline";
      goto bad;
    }
    *nl = 0;
    if(line == text){
      if(parseheader(line, r) < 0){
        *why = "bad header";
        goto bad;
      }
    } else if(seentotal){
      *why = "lines after total-wait-ns";
      goto bad;
    } else if(line[0] == ' '){
      if(r->nclass == 0 || parsesite(line, &r->class[r->nclass - 1]) < 0){
        *why = "bad site line";
        goto bad;
      }
    } else if(memcmp(line, "total-wait-ns ", 14) == 0){
      char *p = line + 14;
      if(*p < '0' || *p > '9'){
        *why = "bad total-wait-ns";
        goto bad;
      }
      for(; *p >= '0' && *p <= '9'; p++)
        r->totalwait = r->totalwait * 10 + (*p - '0');
      seentotal = 1;
    } else {
      if(r->nclass == maxclass){
        struct lockclass *more = malloc((maxclass * 2 + 16) * sizeof(*more));
        if(more == 0){
          *why = "out of memory";
          goto bad;
        }
        memmove(more, r->class, r->nclass * sizeof(*more));
        free(r->class);
        r->class = more;
        maxclass = maxclass * 2 + 16;
      }
      if(parseclass(line, &r->class[r->nclass]) < 0){
        *why = "bad class line";
        goto bad;
      }
      sum += r->class[r->nclass++].sum.wait.total;
    }
    *nl = '\n';
    line = nl + 1;
  }
  if(r->clockns == 0){
    *why = "no header";
    goto bad;
  }
  if(!seentotal){
    *why = "no total-wait-ns line at the end";
    goto bad;
  }
  if(sum != r->totalwait){
    *why = "total-wait-ns is not the sum of the classes' wait-total";
    goto bad;
  }
  return 0;

bad:
  freelockreport(r);
  return -1;
}

void
freelockreport(struct lockreport *r)
{
  free(r->class);
  r->class = 0;
  r->nclass = 0;
}

int
lockstatctl(char *cmd)
{
  int fd = open("/lockprof", O_WRONLY);
  int n = strlen(cmd);

  if(fd < 0)
    return -1;
  int r = write(fd, cmd, n) == n ? 0 : -1;
  close(fd);
  return r;
}

// ---- parsing ----

// The whole of what fd reads, 0-terminated, in memory from malloc (with
// room for the 0); its length in *len. 0 on error.
static char *
readall(int fd, int *len)
{
  int size = 4096, n = 0, r;
  char *buf = malloc(size + 1);

  while(buf && (r = read(fd, buf + n, size - n)) > 0){
    n += r;
    if(n == size){
      char *more = malloc(size * 2 + 1);
      if(more)
        memmove(more, buf, n);
      free(buf);
      buf = more;
      size *= 2;
    }
  }
  if(buf == 0 || r < 0){
    free(buf);
    return 0;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

// If *p starts with word followed by a space or the end, move past them.
static int
skipword(char **p, char *word)
{
  int n = strlen(word);

  if(memcmp(*p, word, n) != 0 || ((*p)[n] != ' ' && (*p)[n] != 0))
    return 0;
  *p += n;
  if(**p == ' ')
    (*p)++;
  return 1;
}

// A decimal number at *p, then a space or the end; move past them.
static int
number(char **p, uint64 *v)
{
  char *s = *p;

  if(*s < '0' || *s > '9')
    return 0;
  for(*v = 0; *s >= '0' && *s <= '9'; s++)
    *v = *v * 10 + (*s - '0');
  if(*s != ' ' && *s != 0)
    return 0;
  *p = s + (*s == ' ');
  return 1;
}

// "key N" at *p.
static int
field(char **p, char *key, uint64 *v)
{
  return skipword(p, key) && number(p, v);
}

// lockprof on|off clock-ns N elapsed-ns N
static int
parseheader(char *p, struct lockreport *r)
{
  if(!skipword(&p, "lockprof"))
    return -1;
  if(skipword(&p, "on"))
    r->on = 1;
  else if(!skipword(&p, "off"))
    return -1;
  if(!field(&p, "clock-ns", &r->clockns) || r->clockns == 0 ||
     !field(&p, "elapsed-ns", &r->elapsedns) || *p != 0)
    return -1;
  return 0;
}

// KIND NAME: acquired N contended N ... hold-total N
static int
parseclass(char *p, struct lockclass *c)
{
  static char *kinds[3] = { "spin", "sleep", "rw" };
  struct lockprofsum *s = &c->sum;
  char *colon;
  int i;

  memset(c, 0, sizeof(*c));
  for(i = 0; i < 3 && !skipword(&p, kinds[i]); i++)
    ;
  if(i == 3)
    return -1;
  strcpy(c->kind, kinds[i]);
  // The name runs to the first ": " (it may hold spaces itself).
  for(colon = p; *colon && !(colon[0] == ':' && colon[1] == ' '); colon++)
    ;
  if(*colon == 0 || colon == p || colon - p >= LOCKNAME)
    return -1;
  memmove(c->name, p, colon - p);
  c->name[colon - p] = 0;
  p = colon + 2;
  if(!field(&p, "acquired", &s->acquired) || !field(&p, "contended", &s->contended) ||
     !field(&p, "waits", &s->waits) || !field(&p, "bounces", &s->bounces) ||
     !field(&p, "wait-min", &s->wait.min) || !field(&p, "wait-max", &s->wait.max) ||
     !field(&p, "wait-total", &s->wait.total) || !field(&p, "holds", &s->hold.n) ||
     !field(&p, "hold-min", &s->hold.min) || !field(&p, "hold-max", &s->hold.max) ||
     !field(&p, "hold-total", &s->hold.total) || *p != 0)
    return -1;
  s->wait.n = s->contended;
  return 0;
}

//   waiter|holder N WHERE
static int
parsesite(char *p, struct lockclass *c)
{
  struct sitelist *l;
  uint64 n;

  while(*p == ' ')
    p++;
  if(skipword(&p, "waiter"))
    l = &c->waiter;
  else if(skipword(&p, "holder"))
    l = &c->holder;
  else
    return -1;
  if(!number(&p, &n) || n == 0 || *p == 0 || l->other != 0)
    return -1;
  if(strcmp(p, "(other sites)") == 0){
    l->other = n;
    return 0;
  }
  if(l->n == LOCKPROF_NTOP || strlen(p) >= SITENAME)
    return -1;
  l->count[l->n] = n;
  strcpy(l->where[l->n], p);
  l->n++;
  return 0;
}
