// POE's wheels: I/O bound to a session's events.
export { Wheel, allocateWheelId, errnoOf } from './wheel.js';
export { ReadWrite, type ReadWriteEvents, type ReadWriteOptions } from './read-write.js';
