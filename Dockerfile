# GPU Hot: one image for node, hub, mock cluster and demo.
# Build: docker build -t gpu-hot .   Run a node: docker compose up -d (see docker-compose.yml)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/gpu-hot.jar /app/gpu-hot.jar
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=utility
EXPOSE 1312
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:${PORT:-1312}/api/version || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xss512k", "-jar", "/app/gpu-hot.jar"]
