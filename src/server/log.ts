export type LogLevel = 'info' | 'warn' | 'error';

/** Where the server reports what it did and refused (never a token). */
export type Log = (level: LogLevel, message: string) => void;
