//! The budget of lookups of new origins: so many a second, and a bounded, fair line of requests
//! waiting for it. When the budget is spent, a request waits (up to the lookup timeout) rather
//! than being refused at once; the line serves clients in turn, one request each, so a client
//! sending many new origins (a flood, or every tenant behind one proxy) takes the whole budget
//! only while no other client waits. When the line is full, the client with the most requests
//! in it gives up its last one.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use tokio::sync::Notify;

/// Why a request got no budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NoBudget {
    /// The line was full, and the request's client had the most requests in it.
    LineFull,
    /// It waited as long as it may (the lookup timeout).
    TimedOut,
}

/// Lookups per second, and the line of requests waiting for one.
pub(super) struct Budget {
    limiter: DefaultDirectRateLimiter,
    line: Mutex<Line>,
    /// How many requests may wait at once.
    max_waiting: usize,
    /// How long a request may wait.
    timeout: Duration,
}

/// The requests waiting for the budget, by client, clients in turn.
#[derive(Default)]
struct Line {
    turns: VecDeque<Turn>,
    waiting: usize,
    next_id: u64,
}

/// One client's requests in the line, in arrival order.
struct Turn {
    client: u64,
    tickets: VecDeque<Arc<Ticket>>,
}

const WAITING: u8 = 0;
const GRANTED: u8 = 1;
const DROPPED: u8 = 2;

/// A request's place in the line.
struct Ticket {
    id: u64,
    state: AtomicU8,
    /// Wakes the request when it is first in line, or dropped from it.
    wake: Notify,
}

impl Line {
    fn first(&self) -> Option<&Arc<Ticket>> {
        self.turns.front().and_then(|turn| turn.tickets.front())
    }

    /// Takes the first ticket out: its client goes to the end of the line if it has more.
    fn pop_first(&mut self) {
        let Some(mut turn) = self.turns.pop_front() else {
            return;
        };
        if turn.tickets.pop_front().is_some() {
            self.waiting -= 1;
        }
        if !turn.tickets.is_empty() {
            self.turns.push_back(turn);
        }
    }

    /// Takes ticket `id` out, wherever it is.
    fn remove(&mut self, id: u64) {
        for (at, turn) in self.turns.iter_mut().enumerate() {
            if let Some(pos) = turn.tickets.iter().position(|t| t.id == id) {
                turn.tickets.remove(pos);
                self.waiting -= 1;
                if turn.tickets.is_empty() {
                    self.turns.remove(at);
                }
                return;
            }
        }
    }

    /// Wakes the first in line, to take the budget when it comes.
    fn wake_first(&self) {
        if let Some(first) = self.first() {
            first.wake.notify_one();
        }
    }

    /// Puts a ticket for `client` in line; when the line is full, the client with the most
    /// tickets gives up its last (or this one is refused, if that client is `client`).
    fn join(&mut self, client: u64, max_waiting: usize) -> Result<Arc<Ticket>, NoBudget> {
        let mine = self
            .turns
            .iter()
            .find(|t| t.client == client)
            .map_or(0, |t| t.tickets.len());
        if self.waiting >= max_waiting {
            let Some(at) = self
                .turns
                .iter()
                .enumerate()
                .max_by_key(|(at, t)| (t.tickets.len(), *at))
                .map(|(at, _)| at)
            else {
                return Err(NoBudget::LineFull);
            };
            if self.turns[at].tickets.len() <= mine {
                return Err(NoBudget::LineFull);
            }
            let turn = &mut self.turns[at];
            if let Some(last) = turn.tickets.pop_back() {
                last.state.store(DROPPED, Ordering::Release);
                last.wake.notify_one();
                self.waiting -= 1;
            }
            if turn.tickets.is_empty() {
                self.turns.remove(at);
                // The first in line may have changed.
                self.wake_first();
            }
        }
        self.next_id += 1;
        let ticket = Arc::new(Ticket {
            id: self.next_id,
            state: AtomicU8::new(WAITING),
            wake: Notify::new(),
        });
        match self.turns.iter_mut().find(|t| t.client == client) {
            Some(turn) => turn.tickets.push_back(Arc::clone(&ticket)),
            None => self.turns.push_back(Turn {
                client,
                tickets: VecDeque::from([Arc::clone(&ticket)]),
            }),
        }
        self.waiting += 1;
        Ok(ticket)
    }
}

/// Takes a ticket out of the line when its request stops waiting for any reason (granted,
/// dropped, timed out, or the request itself dropped).
struct Leave<'a> {
    budget: &'a Budget,
    ticket: Arc<Ticket>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        if self.ticket.state.load(Ordering::Acquire) == WAITING {
            let mut line = self.budget.line();
            let was_first = line.first().is_some_and(|t| t.id == self.ticket.id);
            line.remove(self.ticket.id);
            if was_first {
                line.wake_first();
            }
        }
    }
}

impl Budget {
    pub(super) fn new(per_second: NonZeroU32, max_waiting: usize, timeout: Duration) -> Budget {
        Budget {
            limiter: RateLimiter::direct(Quota::per_second(per_second)),
            line: Mutex::new(Line::default()),
            max_waiting,
            timeout,
        }
    }

    fn line(&self) -> MutexGuard<'_, Line> {
        self.line.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many requests wait now.
    pub(super) fn waiting(&self) -> usize {
        self.line().waiting
    }

    /// A lookup for `client` may start: at once (`Ok(false)`) if the budget allows and no one
    /// waits, or after waiting its turn (`Ok(true)`).
    pub(super) async fn take(&self, client: u64) -> Result<bool, NoBudget> {
        let ticket = {
            let mut line = self.line();
            if line.waiting == 0 && self.limiter.check().is_ok() {
                return Ok(false);
            }
            line.join(client, self.max_waiting)?
        };
        let leave = Leave {
            budget: self,
            ticket,
        };
        match tokio::time::timeout(self.timeout, self.wait(&leave.ticket)).await {
            Ok(true) => Ok(true),
            Ok(false) => Err(NoBudget::LineFull),
            Err(_) => Err(NoBudget::TimedOut),
        }
    }

    /// Waits for `ticket`'s turn: the first in line takes the budget as soon as there is some;
    /// the others wait to be woken. `false` if it was dropped from the line.
    async fn wait(&self, ticket: &Ticket) -> bool {
        loop {
            match ticket.state.load(Ordering::Acquire) {
                GRANTED => return true,
                DROPPED => return false,
                _ => {}
            }
            let pause = {
                let mut line = self.line();
                if line.first().is_some_and(|first| first.id == ticket.id) {
                    match self.limiter.check() {
                        Ok(()) => {
                            ticket.state.store(GRANTED, Ordering::Release);
                            line.pop_first();
                            line.wake_first();
                            return true;
                        }
                        Err(not_until) => {
                            Some(not_until.wait_time_from(self.limiter.clock().now()))
                        }
                    }
                } else {
                    None
                }
            };
            match pause {
                // First in line: until the budget has room (at least a millisecond).
                Some(pause) => tokio::time::sleep(pause.max(Duration::from_millis(1))).await,
                // Woken when first in line, or dropped (a wake-up sent before this waits is
                // kept).
                None => ticket.wake.notified().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(per_second: u32, max_waiting: usize) -> Arc<Budget> {
        Arc::new(Budget::new(
            NonZeroU32::new(per_second).unwrap(),
            max_waiting,
            Duration::from_secs(2),
        ))
    }

    #[actix_rt::test]
    async fn over_the_budget_a_request_waits_for_it() {
        let budget = budget(20, 100);
        // The burst: at once.
        for _ in 0..20 {
            assert_eq!(budget.take(1).await, Ok(false));
        }
        // Then one every 50 ms, waiting.
        let started = std::time::Instant::now();
        for _ in 0..5 {
            assert_eq!(budget.take(1).await, Ok(true));
        }
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert_eq!(budget.waiting(), 0);
    }

    #[actix_rt::test]
    async fn clients_take_turns_and_a_full_line_drops_the_biggest_clients_last() {
        let budget = budget(10, 6);
        for _ in 0..10 {
            budget.take(1).await.unwrap();
        }
        // Client 1 queues five, then client 2 one: client 2 is served second, not sixth.
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, client) in [1, 1, 1, 1, 1, 2].into_iter().enumerate() {
            let (budget, order) = (Arc::clone(&budget), Arc::clone(&order));
            tasks.push(actix_rt::spawn(async move {
                let got = budget.take(client).await;
                order.lock().unwrap().push((i, client, got));
            }));
            actix_rt::task::yield_now().await;
        }
        actix_rt::task::yield_now().await;
        assert_eq!(budget.waiting(), 6);
        // The line is full: client 3's request drops client 1's last.
        let (b, o) = (Arc::clone(&budget), Arc::clone(&order));
        tasks.push(actix_rt::spawn(async move {
            let got = b.take(3).await;
            o.lock().unwrap().push((6, 3, got));
        }));
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        let dropped: Vec<_> = order.iter().filter(|(_, _, got)| got.is_err()).collect();
        assert_eq!(dropped, [&(4, 1, Err(NoBudget::LineFull))], "{order:?}");
        let served: Vec<u64> = order
            .iter()
            .filter(|(_, _, got)| got.is_ok())
            .map(|(_, client, _)| *client)
            .collect();
        assert_eq!(served, [1, 2, 3, 1, 1, 1], "{order:?}");
        assert_eq!(budget.waiting(), 0);
    }

    #[actix_rt::test]
    async fn a_client_alone_may_fill_the_line_but_not_overflow_it() {
        // The burst spent: one every 500 ms.
        let budget = budget(2, 2);
        budget.take(1).await.unwrap();
        budget.take(1).await.unwrap();
        let a = actix_rt::spawn({
            let budget = Arc::clone(&budget);
            async move { budget.take(1).await }
        });
        let b = actix_rt::spawn({
            let budget = Arc::clone(&budget);
            async move { budget.take(1).await }
        });
        actix_rt::task::yield_now().await;
        actix_rt::task::yield_now().await;
        assert_eq!(budget.take(1).await, Err(NoBudget::LineFull));
        assert_eq!(a.await.unwrap(), Ok(true));
        assert_eq!(b.await.unwrap(), Ok(true));
    }
}
