// bsdsock/select: Python's select and selectors modules for bsdsock
// sockets, objects with fileno() and integer descriptors. Synchronous.
export * from './constants.generated';
export { select, poll, Poll, epoll, Epoll, error, type PollEvent } from './select';
export {
  EVENT_READ,
  EVENT_WRITE,
  SelectorKey,
  SelectorMapping,
  BaseSelector,
  SelectSelector,
  PollSelector,
  EpollSelector,
  DefaultSelector,
  type SelectorEvent,
} from './selectors';
export { KeyError } from './errors';
