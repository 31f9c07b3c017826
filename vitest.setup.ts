// tsyringe reads decorator metadata through reflect-metadata, which must be loaded first.
import 'reflect-metadata';
