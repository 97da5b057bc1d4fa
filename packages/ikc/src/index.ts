// The public surface of @poets/ikc.
export {};
