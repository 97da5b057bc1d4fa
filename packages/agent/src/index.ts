// The public surface of @poets/agent.
export {};
