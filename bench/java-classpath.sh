# Sourced by the bench scripts (run-latency.sh, run-wrk.sh, profile-server.sh) from the repository root: sets
# JAVA (JAVA_HOME's java, by default Temurin 25 where installed) and CP (the bench module's runtime class path),
# building the module first unless SKIP_BUILD=1 and an earlier build left its class path.
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"

if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f bench/target/classpath.txt ]; then
  mvn -q -pl bench -am -DskipTests package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
